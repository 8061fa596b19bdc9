//! The catalogue of compile-time diagnostics. Every message the front end can report has one
//! constructor here with a stable code (`BS0001` …), its span and, where one helps, a hint;
//! call sites name the diagnostic and never spell a message. Rendering happens elsewhere.

use crate::span::Span;
use crate::types::Type;

/// One compile-time error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub message: String,
    pub span: Span,
    /// A short text shown under the caret.
    pub label: Option<String>,
    pub hint: Option<String>,
}

impl Diagnostic {
    fn new(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            message: message.into(),
            span,
            label: None,
            hint: None,
        }
    }

    fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }
}

pub fn syntax(span: Span, message: &str, help: Option<&str>) -> Diagnostic {
    let d = Diagnostic::new("BS0001", span, format!("SyntaxError: {message}"));
    match help {
        Some(h) => d.hint(h),
        None => d,
    }
}

pub fn unsupported_syntax(span: Span, node: &str) -> Diagnostic {
    Diagnostic::new("BS0002", span, format!("unsupported syntax: {node}"))
        .label("not part of BlueScript")
}

pub fn only_const_and_let(span: Span) -> Diagnostic {
    Diagnostic::new("BS0003", span, "only const and let are available")
        .hint("declare the variable with `let`, or `const` if it is never reassigned")
}

pub fn unsupported_operator(span: Span, op: &str) -> Diagnostic {
    Diagnostic::new("BS0004", span, format!("not supported operator '{op}'"))
}

pub fn bad_numeric_literal(span: Span) -> Diagnostic {
    Diagnostic::new("BS0005", span, "bad numeric literal")
        .hint("write integers in decimal, hexadecimal (0x…) or binary (0b…), without separators")
}

pub fn integer_literal_out_of_range(span: Span, raw: &str) -> Diagnostic {
    Diagnostic::new("BS0006", span, format!("integer literal out of range: {raw}"))
        .hint("an integer is 32-bit: -2147483648 … 2147483647; write a float literal (with `.0`) for larger values")
}

pub fn unknown_name(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new("BS0010", span, format!("unknown name: {name}")).label("not declared")
}

pub fn unknown_type_name(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new("BS0011", span, format!("unknown type name: {name}"))
}

pub fn not_supported_type(span: Span) -> Diagnostic {
    Diagnostic::new("BS0012", span, "not supported type")
}

pub fn already_declared(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        "BS0013",
        span,
        format!("Identifier '{name}' has already been declared"),
    )
    .label("declared again here")
}

pub fn unknown_property(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new("BS0014", span, format!("unknown property name: {name}"))
}

/// [`unknown_property`] of a value of type `ty`: on a nullable type, a hint says why.
pub fn unknown_property_of(span: Span, name: &str, ty: &Type) -> Diagnostic {
    let d = unknown_property(span, name);
    match ty {
        Type::Nullable(_) => d.label(format!("the object is of type '{ty}' here")).hint(
            "the value may be undefined here: test it first (`if (x !== undefined)`); an \
                 assignment, or for a top-level variable a call, ends what an earlier test showed",
        ),
        _ => d,
    }
}

pub fn not_assignable(span: Span, from: &Type, to: &Type) -> Diagnostic {
    let d = Diagnostic::new(
        "BS0020",
        span,
        format!("Type '{from}' is not assignable to type '{to}'"),
    )
    .label(format!("this is of type '{from}'"));
    match (from, to) {
        (Type::Float, Type::Integer) => {
            d.hint("convert explicitly with `as integer` (truncates toward zero)")
        }
        (_, Type::Object) => {
            d.hint("`object` holds class instances and strings only; use `any` for other values")
        }
        _ => d,
    }
}

pub fn return_mismatch(span: Span, from: &Type, to: &Type) -> Diagnostic {
    Diagnostic::new(
        "BS0021",
        span,
        format!("Type '{from}' does not match type '{to}'"),
    )
    .label(format!("this is of type '{from}'"))
}

pub fn incompatible_argument(span: Span, from: &Type, to: &Type) -> Diagnostic {
    let d = Diagnostic::new(
        "BS0022",
        span,
        format!("passing an incompatible argument ({from} to {to})"),
    );
    match (from, to) {
        (Type::Float, Type::Integer) => {
            d.hint("convert explicitly with `as integer` (truncates toward zero)")
        }
        _ => d,
    }
}

pub fn invalid_operands(span: Span, op: &str, left: &Type, right: &Type) -> Diagnostic {
    Diagnostic::new(
        "BS0023",
        span,
        format!("invalid operands to {op} ({left} and {right})"),
    )
}

pub fn invalid_operand(span: Span, op: &str, ty: &Type) -> Diagnostic {
    Diagnostic::new("BS0024", span, format!("invalid operand to {op} ({ty})"))
}

pub fn invalid_remainder_operands(span: Span) -> Diagnostic {
    Diagnostic::new(
        "BS0025",
        span,
        "invalid operands to %.  They must be integer or any",
    )
}

pub fn string_compared(span: Span) -> Diagnostic {
    Diagnostic::new("BS0026", span, "a string must be compared with a string")
}

pub fn boolean_compared(span: Span) -> Diagnostic {
    Diagnostic::new("BS0027", span, "a boolean must be compared with a boolean")
}

pub fn no_common_super_type(span: Span, a: &Type, b: &Type) -> Diagnostic {
    Diagnostic::new("BS0028", span, "no common super type")
        .label(format!("one branch is '{a}', the other '{b}'"))
}

pub fn invalid_as(span: Span, from: &Type, to: &Type) -> Diagnostic {
    Diagnostic::new(
        "BS0029",
        span,
        format!("invalid operands to as ({from} and {to})"),
    )
}

pub fn any_not_supported(span: Span, what: &str) -> Diagnostic {
    Diagnostic::new(
        "BS0030",
        span,
        format!("{what} on a value of type 'any' is not supported"),
    )
    .hint("give the value a static type (integer, float, boolean or string)")
}

pub fn wrong_argument_count(span: Span, expected: usize, found: usize) -> Diagnostic {
    Diagnostic::new("BS0040", span, "wrong number of arguments")
        .label(format!("expected {expected}, found {found}"))
}

pub fn missing_return(span: Span) -> Diagnostic {
    Diagnostic::new("BS0041", span, "a non-void function must return a value")
        .hint("end every path through the function with a `return` statement")
}

pub fn void_initial_value(span: Span) -> Diagnostic {
    Diagnostic::new("BS0042", span, "void may not be an initial value")
}

pub fn void_operand(span: Span) -> Diagnostic {
    Diagnostic::new("BS0043", span, "void may not be a condition or an operand")
}

pub fn nested_function(span: Span) -> Diagnostic {
    Diagnostic::new("BS0044", span, "a nested function is not available")
        .hint("declare the function at the top level")
}

pub fn redefined_with_other_type(span: Span, name: &str, old: &str, new: &str) -> Diagnostic {
    Diagnostic::new(
        "BS0045",
        span,
        format!("function '{name}' is declared again with a different type"),
    )
    .label(format!("was {old}, now {new}"))
    .hint("a redefinition must keep the parameter and result types")
}

pub fn assign_to_function(span: Span) -> Diagnostic {
    Diagnostic::new("BS0046", span, "assignment to top-level function")
}

pub fn the_callee_is_not_a_function(span: Span) -> Diagnostic {
    Diagnostic::new("BS0047", span, "the callee is not a function")
}

pub fn return_outside_function(span: Span) -> Diagnostic {
    Diagnostic::new(
        "BS0048",
        span,
        "a return statement is only allowed inside a function",
    )
}

pub fn void_return_value(span: Span) -> Diagnostic {
    Diagnostic::new(
        "BS0049",
        span,
        "Type 'void' function may not return a value",
    )
}

pub fn default_parameter(span: Span) -> Diagnostic {
    Diagnostic::new("BS0050", span, "default parameter is not supported")
}

pub fn rest_parameter(span: Span) -> Diagnostic {
    Diagnostic::new("BS0051", span, "rest parameter is not supported")
}

pub fn async_function(span: Span) -> Diagnostic {
    Diagnostic::new("BS0052", span, "async functions are not supported")
}

pub fn generator_function(span: Span) -> Diagnostic {
    Diagnostic::new("BS0053", span, "generators are not supported")
}

pub fn assign_to_const(span: Span) -> Diagnostic {
    Diagnostic::new("BS0060", span, "assignment to constant variable")
        .hint("declare the variable with `let` to change it")
}

pub fn must_have_initial_value(span: Span) -> Diagnostic {
    Diagnostic::new("BS0061", span, "a variable must have an initial value")
}

pub fn mixed_declaration(span: Span) -> Diagnostic {
    Diagnostic::new("BS0062", span, "mixed-type declaration is not supported")
        .hint("declare each variable in its own statement")
}

pub fn invalid_assignment_target(span: Span) -> Diagnostic {
    Diagnostic::new("BS0063", span, "invalid assignment target")
}

pub fn break_outside_loop(span: Span, keyword: &str) -> Diagnostic {
    Diagnostic::new(
        "BS0064",
        span,
        format!("a {keyword} statement must be inside a loop"),
    )
}

pub fn destructuring(span: Span) -> Diagnostic {
    Diagnostic::new("BS0065", span, "destructuring is not supported")
}

/// `print()`: print takes one or more values (`console.log()` prints an empty line).
pub fn print_argument_count(span: Span) -> Diagnostic {
    Diagnostic::new("BS0040", span, "wrong number of arguments")
        .label("expected at least 1, found 0")
        .hint("print takes one or more values; `console.log()` prints an empty line")
}

pub fn array_generic_type(span: Span) -> Diagnostic {
    Diagnostic::new("BS0015", span, "Array<T> is not a type annotation")
        .hint("write the array type as T[]")
}

pub fn not_supported_union(span: Span) -> Diagnostic {
    Diagnostic::new("BS0016", span, "not supported union type").hint(
        "only `T | undefined` (or `T | null`) is supported, for a class, string or array type T",
    )
}

pub fn unknown_enum_member(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new("BS0017", span, format!("unknown enum member: {name}"))
}

pub fn enum_initializer(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        "BS0070",
        span,
        format!("enum member \"{name}\" must be initialized with an integer literal"),
    )
}

pub fn duplicate_enum_member(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new("BS0071", span, format!("duplicate enum member: {name}"))
}

pub fn enum_assignment(span: Span) -> Diagnostic {
    Diagnostic::new("BS0072", span, "cannot change an enum member")
}

pub fn not_top_level(span: Span, what: &str) -> Diagnostic {
    Diagnostic::new(
        "BS0073",
        span,
        format!("{what} must be declared at top level"),
    )
}

pub fn element_access_non_array(span: Span) -> Diagnostic {
    Diagnostic::new("BS0080", span, "an element access to a non-array")
}

pub fn array_index_type(span: Span) -> Diagnostic {
    Diagnostic::new("BS0081", span, "an array index must be an integer")
}

pub fn cannot_change_length(span: Span) -> Diagnostic {
    Diagnostic::new("BS0082", span, "cannot change .length")
}

pub fn array_needs_initial_value(span: Span, ty: &Type) -> Diagnostic {
    Diagnostic::new(
        "BS0083",
        span,
        format!("new Array<{ty}>(n) needs an initial value for its elements"),
    )
    .hint("write new Array<T>(n, initialValue)")
}

pub fn instanceof_primitive(span: Span) -> Diagnostic {
    Diagnostic::new(
        "BS0084",
        span,
        "primitive types cannot be used in instanceof",
    )
}

pub fn class_already_declared(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        "BS0090",
        span,
        format!("'{name}' class has already been declared"),
    )
}

pub fn duplicate_property(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new("BS0091", span, format!("duplicate property name: {name}"))
}

pub fn duplicate_method(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new("BS0092", span, format!("duplicate method name: {name}"))
}

pub fn uninitialized_property(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new("BS0093", span, format!("uninitialized property: {name}")).hint(format!(
        "assign this.{name} at the top level of the constructor"
    ))
}

pub fn super_not_called(span: Span) -> Diagnostic {
    Diagnostic::new("BS0094", span, "super() is not called")
        .hint("a subclass constructor must call super(…) once, at its top level")
}

pub fn missing_constructor(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new("BS0095", span, format!("{name} is missing a constructor"))
}

pub fn invalid_super_class(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new("BS0096", span, format!("invalid super class: {name}"))
}

pub fn incompatible_override(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        "BS0097",
        span,
        format!("an overriding method with an incompatible type: {name}"),
    )
    .hint("an overriding method must have the same parameter and result types")
}

pub fn this_not_available(span: Span) -> Diagnostic {
    Diagnostic::new("BS0098", span, "'this' is not available here")
}

pub fn field_initializer(span: Span) -> Diagnostic {
    Diagnostic::new("BS0099", span, "initial value is not supported")
        .hint("assign the field in the constructor")
}

pub fn accessibility(span: Span) -> Diagnostic {
    Diagnostic::new("BS0100", span, "cannot specify accessibility")
}

pub fn static_needs_initial_value(span: Span) -> Diagnostic {
    Diagnostic::new(
        "BS0101",
        span,
        "a static property must have an initial value",
    )
}

pub fn super_call_here(span: Span) -> Diagnostic {
    Diagnostic::new("BS0102", span, "cannot call super() here")
}

/// A function, method or constructor declared without a body (a TypeScript overload signature
/// or ambient declaration): it would have nothing to run.
pub fn missing_body(span: Span, what: &str) -> Diagnostic {
    Diagnostic::new("BS0150", span, format!("{what} has no body"))
        .label("declared without `{ … }`")
        .hint("BlueScript has no overloads and no declarations without an implementation: give it a body, or remove this declaration")
}

/// `new Array<F>(other)` for function elements from another array type: nothing at run time
/// can tell a function value's type well enough.
pub fn array_copy_unchecked(span: Span, from: &Type, to: &Type) -> Diagnostic {
    Diagnostic::new(
        "BS0152",
        span,
        format!("cannot copy {from} into a new {to}: its elements cannot be checked at run time"),
    )
    .hint("copy from an array of exactly that type")
}

/// `enum E { 'a' = 1 }`: members are named by identifiers only.
pub fn enum_member_string_name(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        "BS0151",
        span,
        format!("an enum member must be named by an identifier: '{name}'"),
    )
    .hint("write the member's name without quotes, e.g. `A = 1`")
}

pub fn not_a_class(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new("BS0103", span, format!("not a class: {name}"))
}

pub fn bad_class_name(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new("BS0104", span, format!("bad class name: {name}"))
}

pub fn method_not_a_property(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new("BS0105", span, format!("unknown property name: {name}"))
        .hint("a method is not a property: call it")
}

pub fn enum_already_declared(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        "BS0074",
        span,
        format!("'{name}' has already been declared"),
    )
}

pub fn tagged_template(span: Span) -> Diagnostic {
    Diagnostic::new("BS0110", span, "a tagged template is not supported")
        .hint("only the `code` tag, which embeds C, is available")
}

pub fn native_embed(span: Span) -> Diagnostic {
    Diagnostic::new(
        "BS0111",
        span,
        "only a variable or this object's property can be embedded in native code",
    )
}

/// The C compiler's `message` about inline C (the `code` tag), at the place in the template it
/// names. Reported by the session after C compilation, not by the checker.
pub fn inline_c_rejected(span: Span, message: &str) -> Diagnostic {
    Diagnostic::new("BS0140", span, format!("inline C: {message}"))
        .label("the C compiler rejected this")
        .hint(
            "the C compiler rejected this inline C: the text of a `code` template is compiled as \
             written, with each ${…} replaced by the variable's C name (so columns after one are \
             approximate)",
        )
}

/// The C compiler's `message` about a C file of the project, at the place in that file it
/// names. Reported by the session when it compiles the project's C files.
pub fn c_file_rejected(span: Span, message: &str) -> Diagnostic {
    Diagnostic::new("BS0141", span, message.to_string())
        .label("the C compiler rejected this")
        .hint(
            "the `.c` files under the project's source folder are compiled with the device's C \
             compiler before the program runs; fix the file and run again",
        )
}

/// A C file of the project named `bs_*.c`: the prefix is the runtime's.
pub fn c_file_reserved_name(span: Span, file_name: &str) -> Diagnostic {
    Diagnostic::new(
        "BS0142",
        span,
        format!("the C file name `{file_name}` is reserved: C files must not start with `bs_`"),
    )
    .label("this file is not compiled")
    .hint("`bs_` names the runtime's own files and symbols; rename the file")
}

pub fn unknown_variable(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new("BS0112", span, format!("unknown variable: {name}"))
}

pub fn no_class_declares(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        "BS0113",
        span,
        format!("no class declares such a member: {name}"),
    )
}

pub fn module_not_found(span: Span, path: &str) -> Diagnostic {
    Diagnostic::new("BS0120", span, format!("Cannot find a module {path}"))
}

pub fn unsupported_import(span: Span) -> Diagnostic {
    Diagnostic::new("BS0121", span, "unsupported import declaration")
        .hint("import names with import { a, b } from './module'")
}

pub fn import_rename(span: Span) -> Diagnostic {
    Diagnostic::new("BS0122", span, "renaming an import is not supported")
}

pub fn import_not_found(span: Span, name: &str, module: &str) -> Diagnostic {
    Diagnostic::new("BS0123", span, format!("'{name}' is not found in {module}"))
}

pub fn import_not_exported(span: Span, name: &str, module: &str) -> Diagnostic {
    Diagnostic::new(
        "BS0124",
        span,
        format!("'{name}' is declared but not exported in {module}"),
    )
    .hint("add `export` to its declaration")
}

pub fn import_cycle(span: Span, cycle: &str) -> Diagnostic {
    Diagnostic::new("BS0125", span, format!("circular import: {cycle}"))
}

pub fn module_outside_source(span: Span, path: &str) -> Diagnostic {
    Diagnostic::new(
        "BS0126",
        span,
        format!("Source file must be under the source dir: {path}"),
    )
}

pub fn nesting_too_deep(span: Span, limit: u32) -> Diagnostic {
    Diagnostic::new(
        "BS0127",
        span,
        format!("expressions and statements nest more than {limit} levels deep here"),
    )
    .label("too deeply nested")
    .hint("split the expression or block: give parts of it names with `let`, or move them into functions")
}

pub fn angles_too_deep(span: Span, limit: usize) -> Diagnostic {
    Diagnostic::new(
        "BS0128",
        span,
        format!("more than {limit} nested brackets each hold a `<` that may start type arguments"),
    )
    .label("one too many")
    .hint("after a name, `<` may start type arguments, and the parser tries each reading in turn: close the brackets sooner, or give parts of the expression names with `let`")
}

pub fn angle_run_too_long(span: Span, limit: usize) -> Diagnostic {
    Diagnostic::new(
        "BS0129",
        span,
        format!("more than {limit} `<` follow one another without a `>` or an operator between them"),
    )
    .label("one too many")
    .hint("after a name, `<` may start type arguments, and the parser reads each such run to its end: split the expression with `let`")
}

pub fn cannot_specialise(span: Span, why: &str) -> Diagnostic {
    Diagnostic::new(
        "BS0140",
        span,
        format!("this function cannot be specialised: {why}"),
    )
    .label("here")
}
