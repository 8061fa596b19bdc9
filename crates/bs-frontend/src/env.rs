//! The session's environment: every top-level name that earlier units declared, with its type
//! and the symbols (storage, slots, bodies) that hold it. The checker reads it; the session
//! extends it only after a unit has run successfully.

use std::collections::HashMap;

use crate::symbol::Symbol;
use crate::types::{FnSig, Type};

/// A top-level name.
#[derive(Clone, Debug, PartialEq)]
pub enum Global {
    Var {
        ty: Type,
        mutable: bool,
        symbol: Symbol,
    },
    Func {
        sig: FnSig,
        slot: Symbol,
        body: Symbol,
    },
    Enum {
        /// Its name in types (`Type::Enum`): a module's is qualified, like its classes'.
        name: String,
        members: Vec<(String, i32)>,
    },
    Class(ClassInfo),
}

/// A field of a class (inherited ones included).
#[derive(Clone, Debug, PartialEq)]
pub struct FieldInfo {
    pub name: String,
    pub ty: Type,
    /// Index of the field's word in the object (1 = the first after the header).
    pub word: u32,
}

/// A method of a class, in dispatch order (inherited ones first).
#[derive(Clone, Debug, PartialEq)]
pub struct MethodInfo {
    pub name: String,
    /// Parameters after the receiver.
    pub sig: FnSig,
    /// Index in the vtable.
    pub slot: u32,
    /// The body this class dispatches to.
    pub body: Symbol,
}

/// A static member of a class.
#[derive(Clone, Debug, PartialEq)]
pub enum StaticMember {
    Field { ty: Type, symbol: Symbol },
    Method { sig: FnSig, symbol: Symbol },
}

/// Everything the compiler knows about a class of the program.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassInfo {
    pub name: String,
    /// The class id the host gave it (see bs.h).
    pub id: u32,
    pub superclass: Option<String>,
    pub fields: Vec<FieldInfo>,
    pub methods: Vec<MethodInfo>,
    /// Constructor parameters.
    pub ctor: Vec<Type>,
    /// The init function (receiver first, then the constructor's parameters), which runs the
    /// constructor's body.
    pub init_symbol: Symbol,
    /// Size of an instance in words, header included.
    pub words: u32,
    pub statics: Vec<(String, StaticMember)>,
}

impl ClassInfo {
    pub fn field(&self, name: &str) -> Option<&FieldInfo> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn method(&self, name: &str) -> Option<&MethodInfo> {
        self.methods.iter().find(|m| m.name == name)
    }

    pub fn static_member(&self, name: &str) -> Option<&StaticMember> {
        self.statics.iter().find(|(n, _)| n == name).map(|(_, m)| m)
    }
}

/// The names visible to the next unit.
#[derive(Clone, Debug, Default)]
pub struct Env {
    globals: HashMap<String, Global>,
    /// Class ids of array types that are not built in (`string[]`, `Shape[]`, …).
    array_classes: HashMap<Type, u32>,
    /// Ids of property names used through `any`.
    names: HashMap<String, u32>,
    /// Modules loaded in the session, by the import path that names them for the unit being
    /// checked (the session fills this in before checking a file).
    pub modules: HashMap<String, ModuleInfo>,
    /// The namespace of the unit being checked: empty for the main module (the program, the
    /// REPL's inputs), else the module's own (e.g. `m1`). The symbols of its top-level
    /// variables and functions carry it ([`Env::qualify`]), so that two modules may declare the
    /// same name.
    pub namespace: String,
}

/// What an importer needs to know of a module.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModuleInfo {
    /// The module's name in messages (its path).
    pub name: String,
    /// Names the module declares at top level.
    pub declared: Vec<String>,
    /// Names it exports.
    pub exported: Vec<String>,
    /// Its top-level declarations under the names its importers use (its classes and enums
    /// with their qualified names in types, as they also are in the session's environment).
    pub globals: Vec<(String, Global)>,
}

/// Whether a type mentions a class or enum of the main module (whose names are not qualified).
fn mentions_main_type(t: &Type) -> bool {
    match t {
        Type::Class(n) | Type::Enum(n) => !n.contains(':'),
        Type::Array(e) | Type::Nullable(e) => mentions_main_type(e),
        Type::Function(sig) => {
            sig.params.iter().any(mentions_main_type) || mentions_main_type(&sig.ret)
        }
        _ => false,
    }
}

impl Env {
    pub fn new() -> Env {
        Env::default()
    }

    /// The name of the storage or slot of top-level `name` declared in this environment's
    /// namespace: `name` itself in the main module, `NAMESPACE:name` in another (`:` cannot
    /// appear in an identifier, so no two namespaces share a symbol).
    pub fn qualify(&self, name: &str) -> String {
        if self.namespace.is_empty() {
            name.to_string()
        } else {
            format!("{}:{name}", self.namespace)
        }
    }

    /// Whether a symbol name (of a variable or a function slot) belongs to this environment's
    /// namespace, i.e. was not imported from another module.
    pub fn is_own(&self, symbol_name: &str) -> bool {
        match symbol_name.split_once(':') {
            None => self.namespace.is_empty(),
            Some((ns, _)) => ns == self.namespace,
        }
    }

    /// The environment a module of the session is checked in, in namespace `namespace`: the
    /// classes and enums of the session's modules under their qualified names (which no
    /// identifier can spell: they are there for the types that imported functions and
    /// variables mention), the array types that mention no class or enum of the main module,
    /// and the property names; none of the main module's names.
    pub fn for_module(&self, namespace: &str) -> Env {
        Env {
            globals: self
                .globals
                .iter()
                .filter(|(n, g)| {
                    n.contains(':') && matches!(g, Global::Class(_) | Global::Enum { .. })
                })
                .map(|(n, g)| (n.clone(), g.clone()))
                .collect(),
            array_classes: self
                .array_classes
                .iter()
                .filter(|(t, _)| !mentions_main_type(t))
                .map(|(t, id)| (t.clone(), *id))
                .collect(),
            names: self.names.clone(),
            modules: HashMap::new(),
            namespace: namespace.to_string(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Global> {
        self.globals.get(name)
    }

    /// Adds or replaces a name (a redefined function replaces its earlier entry).
    pub fn insert(&mut self, name: String, global: Global) {
        self.globals.insert(name, global);
    }

    /// The id of a property name, if it has one.
    pub fn name_id(&self, name: &str) -> Option<u32> {
        self.names.get(name).copied()
    }

    pub fn insert_name(&mut self, name: String, id: u32) {
        self.names.insert(name, id);
    }

    /// The property name with this id.
    pub fn name_of(&self, id: u32) -> Option<String> {
        self.names
            .iter()
            .find(|(_, i)| **i == id)
            .map(|(n, _)| n.clone())
    }

    /// Whether some class of the session declares a field or method named `name`.
    pub fn any_class_has_member(&self, name: &str) -> bool {
        self.globals.values().any(|g| match g {
            Global::Class(c) => c.field(name).is_some() || c.method(name).is_some(),
            _ => false,
        })
    }

    /// The class id given to an array type earlier in the session.
    pub fn array_class(&self, ty: &Type) -> Option<u32> {
        self.array_classes.get(ty).copied()
    }

    pub fn insert_array_class(&mut self, ty: Type, id: u32) {
        self.array_classes.insert(ty, id);
    }

    /// The name of a class or array type by its class id.
    pub fn class_name(&self, id: u32) -> Option<String> {
        for g in self.globals.values() {
            if let Global::Class(c) = g {
                if c.id == id {
                    return Some(c.name.clone());
                }
            }
        }
        self.array_classes
            .iter()
            .find(|(_, i)| **i == id)
            .map(|(t, _)| t.to_string())
    }

    /// The type of an argument whose profiled signature (`BS_SIG_*` or a class id, see
    /// `docs/dynamic.md`) is `sig`, when a specialised copy can take it as a parameter of
    /// that type: integer, float, boolean, string, a built-in or session array type, or a
    /// class of the session. `None` for undefined, function values, the runtime's internal
    /// classes and ids the session never gave out.
    pub fn observed_type(&self, sig: u16) -> Option<Type> {
        use bs_abi::ClassId;
        match sig {
            bs_abi::SIG_INTEGER => return Some(Type::Integer),
            bs_abi::SIG_FLOAT => return Some(Type::Float),
            bs_abi::SIG_BOOLEAN => return Some(Type::Boolean),
            bs_abi::SIG_UNDEFINED => return None,
            _ => {}
        }
        let id = u32::from(sig);
        if id < bs_abi::FIRST_PROGRAM_CLASS {
            let elem = |t| Some(Type::Array(Box::new(t)));
            return match ClassId::from_code(id)? {
                ClassId::String => Some(Type::String),
                ClassId::IntArray => elem(Type::Integer),
                ClassId::FloatArray => elem(Type::Float),
                ClassId::BoolArray => elem(Type::Boolean),
                ClassId::AnyArray => elem(Type::Any),
                ClassId::Uint8Array => Some(Type::Uint8Array),
                ClassId::FixedArray => Some(Type::FixedArray),
                ClassId::Store | ClassId::Function | ClassId::Cell | ClassId::RawCell => None,
            };
        }
        for g in self.globals.values() {
            if let Global::Class(c) = g {
                if c.id == id {
                    return Some(Type::Class(c.name.clone()));
                }
            }
        }
        self.array_classes
            .iter()
            .find(|(_, i)| **i == id)
            .map(|(t, _)| t.clone())
    }

    pub fn class(&self, name: &str) -> Option<&ClassInfo> {
        match self.globals.get(name) {
            Some(Global::Class(c)) => Some(c),
            _ => None,
        }
    }

    pub fn len(&self) -> usize {
        self.globals.len()
    }

    pub fn is_empty(&self) -> bool {
        self.globals.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(name: &str, id: u32) -> Global {
        Global::Class(ClassInfo {
            name: name.to_string(),
            id,
            superclass: None,
            fields: Vec::new(),
            methods: Vec::new(),
            ctor: Vec::new(),
            init_symbol: Symbol::ClassInit {
                class: name.to_string(),
                unit: 1,
            },
            words: 1,
            statics: Vec::new(),
        })
    }

    fn array(t: Type) -> Type {
        Type::Array(Box::new(t))
    }

    #[test]
    fn observed_types_of_values() {
        let env = Env::new();
        assert_eq!(env.observed_type(bs_abi::SIG_INTEGER), Some(Type::Integer));
        assert_eq!(env.observed_type(bs_abi::SIG_FLOAT), Some(Type::Float));
        assert_eq!(env.observed_type(bs_abi::SIG_BOOLEAN), Some(Type::Boolean));
        assert_eq!(env.observed_type(bs_abi::SIG_UNDEFINED), None);
        assert_eq!(env.observed_type(0xFFF5), None);
    }

    #[test]
    fn observed_types_of_built_in_classes() {
        use bs_abi::ClassId;
        let env = Env::new();
        let of = |id: ClassId| env.observed_type(id.code() as u16);
        assert_eq!(of(ClassId::String), Some(Type::String));
        assert_eq!(of(ClassId::IntArray), Some(array(Type::Integer)));
        assert_eq!(of(ClassId::FloatArray), Some(array(Type::Float)));
        assert_eq!(of(ClassId::BoolArray), Some(array(Type::Boolean)));
        assert_eq!(of(ClassId::AnyArray), Some(array(Type::Any)));
        assert_eq!(of(ClassId::Uint8Array), Some(Type::Uint8Array));
        assert_eq!(of(ClassId::FixedArray), Some(Type::FixedArray));
        // Function values and the runtime's own classes are not specialised on.
        for id in [
            ClassId::Function,
            ClassId::Store,
            ClassId::Cell,
            ClassId::RawCell,
        ] {
            assert_eq!(of(id), None, "{id:?}");
        }
        assert_eq!(env.observed_type(0), None);
        assert_eq!(env.observed_type(12), None);
    }

    #[test]
    fn observed_types_of_the_sessions_classes_and_arrays() {
        let first = bs_abi::FIRST_PROGRAM_CLASS;
        let mut env = Env::new();
        env.insert("Shape".to_string(), class("Shape", first));
        env.insert("m:Point".to_string(), class("m:Point", first + 1));
        env.insert_array_class(array(Type::String), first + 2);
        env.insert_array_class(array(Type::Class("Shape".to_string())), first + 3);
        let of = |id: u32| env.observed_type(id as u16);
        assert_eq!(of(first), Some(Type::Class("Shape".to_string())));
        assert_eq!(of(first + 1), Some(Type::Class("m:Point".to_string())));
        assert_eq!(of(first + 2), Some(array(Type::String)));
        assert_eq!(of(first + 3), Some(array(Type::Class("Shape".to_string()))));
        // An id the session never gave out.
        assert_eq!(of(first + 4), None);
    }
}
