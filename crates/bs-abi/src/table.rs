//! The macros that write each table once: the Rust enum, its numbers, its C names and
//! descriptions, and the [`Table`] view the header test walks.

use crate::Header;

/// One entry of the interface as the header test sees it: a C macro and the value Rust gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The Rust name, e.g. `ClassId::Uint8Array` or `FIRST_PROGRAM_CLASS`.
    pub rust: &'static str,
    /// The C macro, e.g. `BS_CLASS_UINT8_ARRAY`.
    pub c_macro: &'static str,
    /// The value on the Rust side.
    pub value: u64,
    /// The file that defines the macro.
    pub header: Header,
}

/// A table of numbered entries that mirrors a family of C macros sharing one prefix.
pub trait Table: Copy + 'static {
    /// The Rust name of the table, e.g. `ClassId`.
    const NAME: &'static str;
    /// The file whose `#define`s the table mirrors.
    const HEADER: Header;
    /// The prefix every C macro of the table starts with, e.g. `BS_CLASS_`; every macro of the
    /// header with this prefix must be in some table.
    const C_PREFIX: &'static str;
    /// Every entry, in numeric order.
    fn entries() -> &'static [Self];
    /// The entry as the header test sees it.
    fn entry(self) -> Entry;
}

/// Writes a table: the enum (with `#[repr]` and its numbers as discriminants), `ALL`, `code()`,
/// `from_code()`, `name()` (the C name without its prefix), `c_macro()`, `description()` and the
/// [`Table`] impl. Each entry is `Variant = number, "C_NAME", "description";`.
macro_rules! abi_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident: $repr:ident, $header:ident, $prefix:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, $cname:literal, $desc:literal; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr($repr)]
        pub enum $name {
            $( #[doc = concat!("`", $prefix, $cname, "` (", stringify!($value), "): ", $desc, ".")]
               $(#[$vmeta])* $variant = $value, )*
        }

        impl $name {
            /// Every entry, in the order of the table.
            pub const ALL: [$name; [$(abi_enum!(@unit $variant)),*].len()] = [$($name::$variant),*];

            /// The number the C side uses.
            pub const fn code(self) -> $repr {
                self as $repr
            }

            /// The entry for a number, if it is one.
            pub const fn from_code(code: $repr) -> Option<$name> {
                match code {
                    $( $value => Some($name::$variant), )*
                    _ => None,
                }
            }

            /// The C name without its prefix.
            pub const fn name(self) -> &'static str {
                match self {
                    $( $name::$variant => $cname, )*
                }
            }

            /// The C macro.
            pub const fn c_macro(self) -> &'static str {
                match self {
                    $( $name::$variant => concat!($prefix, $cname), )*
                }
            }

            /// A short description.
            pub const fn description(self) -> &'static str {
                match self {
                    $( $name::$variant => $desc, )*
                }
            }
        }

        impl $crate::Table for $name {
            const NAME: &'static str = stringify!($name);
            const HEADER: $crate::Header = $crate::Header::$header;
            const C_PREFIX: &'static str = $prefix;

            fn entries() -> &'static [Self] {
                &$name::ALL
            }

            fn entry(self) -> $crate::Entry {
                $crate::Entry {
                    rust: match self {
                        $( $name::$variant => concat!(stringify!($name), "::", stringify!($variant)), )*
                    },
                    c_macro: self.c_macro(),
                    value: self.code() as u64,
                    header: $crate::Header::$header,
                }
            }
        }
    };
    (@unit $variant:ident) => { () };
}

/// Like [`abi_enum`], for a table whose numbers come from the other side and may be ones this
/// host does not know: the enum has no `#[repr]` but one more variant, `$unknown(number)`.
/// `from_code()` never fails, `name()` and `c_macro()` give `None` for unknown numbers, and the
/// array of known entries is `KNOWN`.
macro_rules! abi_open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident: $repr:ident, $header:ident, $prefix:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, $cname:literal, $desc:literal; )*
        }
        $(#[$umeta:meta])* $unknown:ident, $udesc:literal
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( #[doc = concat!("`", $prefix, $cname, "` (", stringify!($value), "): ", $desc, ".")]
               $(#[$vmeta])* $variant, )*
            $(#[$umeta])*
            $unknown($repr),
        }

        impl $name {
            /// Every known entry, in the order of the table.
            pub const KNOWN: [$name; [$(abi_enum!(@unit $variant)),*].len()] = [$($name::$variant),*];

            /// The number on the wire.
            pub const fn code(self) -> $repr {
                match self {
                    $( $name::$variant => $value, )*
                    $name::$unknown(code) => code,
                }
            }

            /// The entry for a number; numbers not in the table give the unknown variant.
            pub const fn from_code(code: $repr) -> $name {
                match code {
                    $( $value => $name::$variant, )*
                    other => $name::$unknown(other),
                }
            }

            /// The C name without its prefix; `None` for unknown numbers.
            pub const fn name(self) -> Option<&'static str> {
                Some(match self {
                    $( $name::$variant => $cname, )*
                    $name::$unknown(_) => return None,
                })
            }

            /// The C macro; `None` for unknown numbers.
            pub const fn c_macro(self) -> Option<&'static str> {
                Some(match self {
                    $( $name::$variant => concat!($prefix, $cname), )*
                    $name::$unknown(_) => return None,
                })
            }

            /// A short description.
            pub const fn description(self) -> &'static str {
                match self {
                    $( $name::$variant => $desc, )*
                    $name::$unknown(_) => $udesc,
                }
            }
        }

        impl $crate::Table for $name {
            const NAME: &'static str = stringify!($name);
            const HEADER: $crate::Header = $crate::Header::$header;
            const C_PREFIX: &'static str = $prefix;

            fn entries() -> &'static [Self] {
                &$name::KNOWN
            }

            fn entry(self) -> $crate::Entry {
                $crate::Entry {
                    rust: match self {
                        $( $name::$variant => concat!(stringify!($name), "::", stringify!($variant)), )*
                        $name::$unknown(_) => concat!(stringify!($name), "::", stringify!($unknown)),
                    },
                    c_macro: match self.c_macro() {
                        Some(name) => name,
                        None => "",
                    },
                    value: self.code() as u64,
                    header: $crate::Header::$header,
                }
            }
        }
    };
}

/// Writes constants, each with the C macro it mirrors, and `CONSTANTS`, their [`Entry`]s.
macro_rules! abi_consts {
    ( $( $(#[$meta:meta])* pub const $name:ident: $ty:ty = $value:literal, $header:ident, $cmacro:literal; )* ) => {
        $( $(#[$meta])* #[doc = concat!("\n\n`", $cmacro, "`.")] pub const $name: $ty = $value; )*

        /// Every constant above as the header test sees it.
        pub const CONSTANTS: &[$crate::Entry] = &[
            $( $crate::Entry {
                rust: stringify!($name),
                c_macro: $cmacro,
                value: $name as u64,
                header: $crate::Header::$header,
            }, )*
        ];
    };
}

pub(crate) use {abi_consts, abi_enum, abi_open_enum};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_complete() {
        fn check<T: Table + std::fmt::Debug>() {
            for &e in T::entries() {
                let entry = e.entry();
                assert!(entry.c_macro.starts_with(T::C_PREFIX), "{entry:?}");
                assert!(entry.rust.starts_with(T::NAME), "{entry:?}");
                assert_eq!(entry.header, T::HEADER);
            }
        }
        check::<crate::ClassId>();
        check::<crate::Kind>();
        check::<crate::ErrorCode>();
    }
}
