//! The evaluator against example programs of the specification (sections 3.2, 3.4, 3.9, 4.1,
//! 4.4, 4.5, 4.6, 5.2 and 7.1) and of `docs/semantics.md`, rebuilt in the reference AST (the
//! parts that use `any` or strings as values are left out), with the outputs the documents give.

use crate::ast::{
    BinOp, ClassDecl, Expr, ExprKind, FuncDecl, Item, LoopKind, Param, Program, Stmt, Ty, UnOp,
};
use crate::eval::{Status, run};
use crate::pretty;

fn int(v: i32) -> Expr {
    Expr::int(v)
}
fn flt(t: &str) -> Expr {
    Expr::float_lit(t)
}
fn var(n: &str, t: Ty) -> Expr {
    Expr::var(n, t)
}
fn bin(op: BinOp, l: Expr, r: Expr) -> Expr {
    Expr::binary(op, l, r)
}
fn print(e: Expr) -> Item {
    Item::Stmt(Stmt::Print {
        arg: e,
        console: false,
    })
}
fn let_(n: &str, t: Option<Ty>, e: Expr) -> Item {
    Item::Stmt(Stmt::Let {
        name: n.to_string(),
        constant: false,
        annot: t,
        init: e,
    })
}
fn stmt(e: Expr) -> Item {
    Item::Stmt(Stmt::Expr(e))
}

fn expect(items: Vec<Item>, want: &str) {
    let p = Program { items };
    crate::check::program(&p).expect("a valid program");
    let out = run(&p);
    assert_eq!(out.stdout, want, "program:\n{}", pretty::program(&p));
    assert_eq!(out.status, Status::Success);
}

#[test]
fn spec_3_2_integers_wrap_and_box() {
    let fact = FuncDecl {
        name: "fact".into(),
        params: vec![Param::new("n", Ty::Int)],
        ret: Ty::Int,
        body: vec![
            Stmt::If(
                bin(BinOp::Le, var("n", Ty::Int), int(1)),
                vec![Stmt::Return(Some(int(1)))],
                None,
            ),
            Stmt::Return(Some(bin(
                BinOp::Mul,
                var("n", Ty::Int),
                Expr::call(
                    "fact",
                    vec![bin(BinOp::Sub, var("n", Ty::Int), int(1))],
                    Ty::Int,
                ),
            ))),
        ],
    };
    let items = vec![
        let_("x", Some(Ty::Int), int(536_870_911)),
        stmt(Expr::assign(
            None,
            var("x", Ty::Int),
            bin(BinOp::Add, var("x", Ty::Int), int(1)),
        )),
        print(var("x", Ty::Int)),
        // The specification boxes `y: any` here; an integer gives the same output.
        let_("y", Some(Ty::Int), int(536_870_911)),
        print(bin(BinOp::Add, var("y", Ty::Int), int(1))),
        let_("big", Some(Ty::Int), int(2_147_483_647)),
        stmt(Expr::assign(
            None,
            var("big", Ty::Int),
            bin(BinOp::Add, var("big", Ty::Int), int(1)),
        )),
        print(var("big", Ty::Int)),
        Item::Func(fact),
        print(Expr::call("fact", vec![int(12)], Ty::Int)),
        print(Expr::call("fact", vec![int(13)], Ty::Int)),
    ];
    let p = Program {
        items: items.clone(),
    };
    // The checker requires functions before their use, so check only the output here.
    let out = run(&p);
    assert_eq!(
        out.stdout,
        "-536870912\n-536870912\n0\n479001600\n-215430144\n"
    );
    assert!(pretty::program(&p).contains(
        "function fact(n: integer): integer {\n  if (n <= 1) {\n    return 1;\n  }\n  return n * fact(n - 1);\n}\n"
    ));
}

#[test]
fn spec_3_4_floats() {
    expect(
        vec![
            let_("f", Some(Ty::Float), flt("16777217.0")),
            print(var("f", Ty::Float)),
            print(bin(BinOp::Div, flt("1.0"), flt("3.0"))),
            let_("g", Some(Ty::Float), flt("65536.0")),
            print(bin(BinOp::Mul, var("g", Ty::Float), flt("65536.0"))),
            print(Expr::cast(flt("3.9"), Ty::Int)),
            print(Expr::cast(Expr::unary(UnOp::Neg, flt("3.9")), Ty::Int)),
        ],
        "16777216.000000\n0.333333\ninf\n3\n-3\n",
    );
}

#[test]
fn spec_4_1_arithmetic() {
    expect(
        vec![
            print(bin(BinOp::Div, int(7), int(2))),
            print(bin(BinOp::Div, int(-7), int(2))),
            print(bin(BinOp::Rem, int(-7), int(2))),
            print(bin(BinOp::Div, flt("7.0"), int(2))),
            print(bin(BinOp::Pow, int(2), int(10))),
            print(bin(BinOp::Pow, int(2), int(-1))),
            print(bin(BinOp::Pow, int(2), flt("0.5"))),
            let_("z", None, flt("0.0")),
            print(bin(BinOp::Div, flt("1.0"), var("z", Ty::Float))),
        ],
        "3\n-3\n-1\n3.500000\n1024\n0\n1.414214\ninf\n",
    );
}

#[test]
fn spec_4_4_and_4_5_comparison_and_bits() {
    expect(
        vec![
            let_("i", None, int(1)),
            let_("f", None, flt("1.0")),
            print(bin(BinOp::Eq, var("i", Ty::Int), var("f", Ty::Float))),
            print(bin(
                BinOp::BitOr,
                bin(BinOp::BitAnd, int(5), int(3)),
                bin(BinOp::BitXor, int(8), int(2)),
            )),
            print(Expr::unary(UnOp::BitNot, int(5))),
            print(bin(BinOp::Shr, int(-16), int(2))),
            print(bin(BinOp::UShr, int(-16), int(28))),
            print(bin(BinOp::Shl, int(1), int(20))),
        ],
        "true\n11\n-6\n-4\n15\n1048576\n",
    );
}

#[test]
fn spec_4_6_concatenation() {
    let s = Expr::str_lit;
    expect(
        vec![
            print(bin(BinOp::Add, s("n="), int(42))),
            print(bin(BinOp::Add, bin(BinOp::Add, int(1), int(2)), s("x"))),
            print(bin(BinOp::Add, bin(BinOp::Add, s("x"), int(1)), int(2))),
            print(bin(
                BinOp::Add,
                bin(
                    BinOp::Add,
                    bin(
                        BinOp::Add,
                        bin(BinOp::Add, bin(BinOp::Add, s("v"), flt("2.5")), s("|")),
                        flt("3.0"),
                    ),
                    s("|"),
                ),
                Expr::bool_lit(true),
            )),
            print(bin(BinOp::Add, s(""), int(536_870_912))),
        ],
        "n=42\n3x\nx12\nv2.5|3.0|true\n-536870912\n",
    );
}

#[test]
fn spec_5_2_loops() {
    let i = || var("i", Ty::Int);
    expect(
        vec![
            let_("total", None, int(0)),
            Item::Stmt(Stmt::Loop {
                kind: LoopKind::ForUp,
                var: "i".into(),
                limit: 10,
                body: vec![
                    Stmt::If(
                        bin(BinOp::Eq, bin(BinOp::Rem, i(), int(2)), int(0)),
                        vec![Stmt::Continue],
                        None,
                    ),
                    Stmt::If(bin(BinOp::Gt, i(), int(7)), vec![Stmt::Break], None),
                    Stmt::Expr(Expr::assign(Some(BinOp::Add), var("total", Ty::Int), i())),
                ],
            }),
            print(var("total", Ty::Int)),
        ],
        "16\n",
    );
}

#[test]
fn spec_3_9_arrays() {
    let a = || var("a", Ty::IntArr);
    expect(
        vec![
            let_(
                "a",
                None,
                Expr::new(ExprKind::NewArray(Box::new(int(3)), None), Ty::IntArr),
            ),
            stmt(Expr::assign(None, Expr::index(a(), int(1)), int(7))),
            print(bin(
                BinOp::Add,
                Expr::index(a(), int(0)),
                Expr::index(a(), int(1)),
            )),
            let_(
                "b",
                Some(Ty::FloatArr),
                Expr::new(ExprKind::ArrayLit(vec![int(1), int(2)]), Ty::FloatArr),
            ),
            print(Expr::index(var("b", Ty::FloatArr), int(1))),
            print(Expr::length(var("b", Ty::FloatArr))),
            print(var("b", Ty::FloatArr)),
        ],
        "7\n2.000000\n2\n<class float[]>\n",
    );
}

#[test]
fn spec_7_1_classes() {
    let this = |c: &str| Expr::new(ExprKind::This, Ty::Class(c.into()));
    let shape = ClassDecl {
        name: "Shape".into(),
        parent: None,
        fields: vec![Param::new("sides", Ty::Int)],
        ctor_params: vec![Param::new("sides", Ty::Int)],
        super_args: vec![],
        field_inits: vec![var("sides", Ty::Int)],
        ctor_body: vec![],
        methods: vec![FuncDecl {
            name: "area".into(),
            params: vec![],
            ret: Ty::Float,
            body: vec![Stmt::Return(Some(flt("0.0")))],
        }],
    };
    let square = ClassDecl {
        name: "Square".into(),
        parent: Some("Shape".into()),
        fields: vec![Param::new("side", Ty::Float)],
        ctor_params: vec![Param::new("side", Ty::Float)],
        super_args: vec![int(4)],
        field_inits: vec![var("side", Ty::Float)],
        ctor_body: vec![],
        methods: vec![FuncDecl {
            name: "area".into(),
            params: vec![],
            ret: Ty::Float,
            body: vec![Stmt::Return(Some(bin(
                BinOp::Mul,
                Expr::field(this("Square"), "side", Ty::Float),
                Expr::field(this("Square"), "side", Ty::Float),
            )))],
        }],
    };
    let sq = || var("sq", Ty::Class("Square".into()));
    let s = || var("s", Ty::Class("Shape".into()));
    expect(
        vec![
            Item::Class(shape),
            Item::Class(square),
            let_(
                "sq",
                None,
                Expr::new(
                    ExprKind::New("Square".into(), vec![flt("1.5")]),
                    Ty::Class("Square".into()),
                ),
            ),
            let_("s", Some(Ty::Class("Shape".into())), sq()),
            print(Expr::method_call(s(), "area", vec![], Ty::Float)),
            print(Expr::field(sq(), "sides", Ty::Int)),
            print(s()),
        ],
        "2.250000\n4\n<class Square>\n",
    );
}

#[test]
fn semantics_md_numbers() {
    expect(
        vec![
            print(bin(BinOp::Add, int(2_147_483_647), int(1))),
            print(int(2_147_483_647)),
            print(bin(BinOp::Div, int(i32::MIN), int(-1))),
            print(bin(BinOp::Rem, int(i32::MIN), int(-1))),
            print(bin(BinOp::Shl, int(1), int(33))),
            print(Expr::new(
                ExprKind::Int {
                    value: 0xFFFF_FFFF,
                    hex: true,
                },
                Ty::Int,
            )),
            print(bin(
                BinOp::Eq,
                bin(BinOp::Add, flt("0.1"), flt("0.2")),
                flt("0.3"),
            )),
            print(bin(BinOp::Pow, int(-1), int(-3))),
            print(Expr::cast(flt("3e9"), Ty::Int)),
        ],
        "0\n-1\n0\n0\n2\n-1\ntrue\n-1\n-1\n",
    );
}

#[test]
fn division_by_zero_stops_the_program() {
    let p = Program {
        items: vec![
            let_("z", None, int(0)),
            print(int(1)),
            print(bin(BinOp::Div, int(1), var("z", Ty::Int))),
            print(int(2)),
        ],
    };
    let out = run(&p);
    assert_eq!(out.stdout, "1\n");
    assert!(matches!(out.status, Status::RuntimeError(_)));
}

#[test]
fn evaluation_is_left_to_right_with_javascript_assignment_order() {
    let x = || var("x", Ty::Int);
    expect(
        vec![
            let_("x", None, int(1)),
            // x + (x = 5): the left operand is read first.
            print(bin(BinOp::Add, x(), Expr::assign(None, x(), int(5)))),
            // x += (x = 2): the old value is read before the right side runs.
            print(Expr::assign(
                Some(BinOp::Add),
                x(),
                Expr::assign(None, x(), int(2)),
            )),
            print(bin(BinOp::Add, Expr::inc_dec(false, true, x()), x())),
        ],
        "6\n7\n15\n",
    );
}

fn fn_ty(params: Vec<Ty>, ret: Ty) -> Ty {
    Ty::Func(params, Box::new(ret))
}

fn arrow(params: Vec<Param>, ret: Ty, body: Vec<Stmt>) -> Expr {
    let ty = fn_ty(params.iter().map(|p| p.ty.clone()).collect(), ret);
    Expr::new(ExprKind::Arrow(params, body), ty)
}

fn call_value(f: &str, ty: Ty, args: Vec<Expr>) -> Expr {
    let Ty::Func(_, ret) = &ty else {
        panic!("a function type")
    };
    let ret = (**ret).clone();
    Expr::new(ExprKind::CallValue(Box::new(var(f, ty)), args), ret)
}

#[test]
fn spec_6_2_closures_capture_by_reference() {
    let counter_ty = fn_ty(vec![], Ty::Int);
    let counter = FuncDecl {
        name: "counter".into(),
        params: vec![],
        ret: counter_ty.clone(),
        body: vec![
            Stmt::Let {
                name: "n".into(),
                constant: false,
                annot: None,
                init: int(0),
            },
            Stmt::Return(Some(arrow(
                vec![],
                Ty::Int,
                vec![
                    Stmt::Expr(Expr::assign(Some(BinOp::Add), var("n", Ty::Int), int(1))),
                    Stmt::Return(Some(var("n", Ty::Int))),
                ],
            ))),
        ],
    };
    let times_ty = fn_ty(vec![Ty::Int], Ty::Int);
    let times = arrow(
        vec![Param::new("x", Ty::Int)],
        Ty::Int,
        vec![Stmt::Return(Some(bin(
            BinOp::Mul,
            var("x", Ty::Int),
            var("scale", Ty::Int),
        )))],
    );
    let op = |k: BinOp, v: i32| {
        arrow(
            vec![Param::new("x", Ty::Int)],
            Ty::Int,
            vec![Stmt::Return(Some(bin(k, var("x", Ty::Int), int(v))))],
        )
    };
    expect(
        vec![
            Item::Func(counter),
            let_(
                "c1",
                None,
                Expr::call("counter", vec![], counter_ty.clone()),
            ),
            let_(
                "c2",
                None,
                Expr::call("counter", vec![], counter_ty.clone()),
            ),
            print(call_value("c1", counter_ty.clone(), vec![])),
            print(call_value("c1", counter_ty.clone(), vec![])),
            print(call_value("c2", counter_ty, vec![])),
            let_("scale", None, int(10)),
            let_("times", None, times),
            stmt(Expr::assign(None, var("scale", Ty::Int), int(3))),
            print(call_value("times", times_ty.clone(), vec![int(5)])),
            let_("op", None, op(BinOp::Add, 1)),
            stmt(Expr::assign(
                None,
                var("op", times_ty.clone()),
                op(BinOp::Mul, 100),
            )),
            print(call_value("op", times_ty, vec![int(2)])),
        ],
        "1\n2\n1\n15\n200\n",
    );
}

/// A closure created in a `for (let i …)` loop keeps its iteration's `i` (JavaScript's rule,
/// spec section 17 item 17); a `let` in the body is fresh in every iteration too.
#[test]
fn for_counters_are_fresh_in_every_iteration() {
    let h_ty = fn_ty(vec![], Ty::Int);
    let body = vec![
        Stmt::Let {
            name: "k".into(),
            constant: false,
            annot: None,
            init: bin(BinOp::Mul, var("i", Ty::Int), int(10)),
        },
        Stmt::Expr(Expr::assign(
            None,
            var("h", h_ty.clone()),
            arrow(
                vec![],
                Ty::Int,
                vec![Stmt::Return(Some(bin(
                    BinOp::Add,
                    var("i", Ty::Int),
                    var("k", Ty::Int),
                )))],
            ),
        )),
    ];
    expect(
        vec![
            let_(
                "h",
                Some(h_ty.clone()),
                arrow(vec![], Ty::Int, vec![Stmt::Return(Some(int(-1)))]),
            ),
            Item::Stmt(Stmt::Loop {
                kind: LoopKind::ForUp,
                var: "i".into(),
                limit: 3,
                body,
            }),
            print(call_value("h", h_ty, vec![])),
        ],
        "22\n",
    );
}

/// Spec 4.4 and 4.1 on `any`: tagged comparisons, arithmetic decided at run time, boxing.
#[test]
fn spec_4_4_any_values() {
    let any = |n: &str| var(n, Ty::Any);
    expect(
        vec![
            let_("x", Some(Ty::Any), int(1)),
            let_("y", Some(Ty::Any), flt("1.0")),
            print(bin(BinOp::Eq, any("x"), any("y"))),
            print(bin(BinOp::Eq, any("x"), int(1))),
            let_("a", Some(Ty::Any), Expr::unary(UnOp::Neg, int(7))),
            print(bin(BinOp::Div, any("a"), int(2))),
            print(bin(BinOp::Div, any("a"), flt("2.0"))),
            let_("b", Some(Ty::Any), int(2147483647)),
            print(any("b")),
            print(bin(BinOp::Add, any("b"), int(1))),
        ],
        "false\ntrue\n-3\n-3.500000\n-1\n0\n",
    );
}
