//! The single table of the BlueScript host–device interface: every number that compiled code,
//! the host and the C runtime must agree on (class ids, `any` operator codes, type codes,
//! run-time error codes, built-in property names, message kinds and protocol constants), each
//! written once here, next to the name of the C macro that holds it on the device side. It also
//! holds the one reader of C `#define`s ([`Defines`]), for these headers and ports'
//! `bs_port_config.h`.
//!
//! Adding an entry:
//! 1. C side: `#define` it in the header the table names ([`Header`]), e.g.
//!    `#define BS_CLASS_FOO 12` in `runtime/core/bs.h`, and use the macro in the runtime.
//! 2. Rust side: add a line to the table below, e.g. `Foo = 12, "FOO", "what it is";` in
//!    [`ClassId`], or a constant to the `abi_consts!` list; a new table is one more `abi_enum!`
//!    block plus a line in [`tables`].
//! 3. `cargo test -p bs-abi --test headers` compares every entry with the headers by macro name
//!    and fails naming any entry that disagrees, and any macro with a table's prefix that no
//!    entry mirrors.

#![forbid(unsafe_code)]

mod c_header;
mod table;

use std::fmt;

pub use c_header::Defines;
pub use table::{Entry, Table};
use table::{abi_consts, abi_enum, abi_open_enum};

/// A runtime source file whose macros a table mirrors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Header {
    /// `runtime/core/bs.h`: the C API of compiled units.
    Bs,
    /// `runtime/core/bs_protocol.h`: the wire protocol.
    Protocol,
    /// `runtime/core/bs_dynamic.c`: access through `any` (the built-in property names).
    Dynamic,
}

impl Header {
    /// Every header, in the order above.
    pub const ALL: [Header; 3] = [Header::Bs, Header::Protocol, Header::Dynamic];

    /// The path relative to the repository's `runtime/` folder.
    pub const fn path(self) -> &'static str {
        match self {
            Header::Bs => "core/bs.h",
            Header::Protocol => "core/bs_protocol.h",
            Header::Dynamic => "core/bs_dynamic.c",
        }
    }
}

abi_enum! {
    /// Built-in class ids (`BS_CLASS_*` in bs.h): the class id in an object's header. Programs'
    /// classes and other array types get ids from [`FIRST_PROGRAM_CLASS`] on.
    pub enum ClassId: u32, Bs, "BS_CLASS_" {
        String = 1, "STRING", "a string";
        IntArray = 2, "INT_ARRAY", "integer[] (and enum arrays): raw int32_t elements";
        FloatArray = 3, "FLOAT_ARRAY", "float[]: raw binary32 elements";
        BoolArray = 4, "BOOL_ARRAY", "boolean[]: one byte per element";
        Uint8Array = 5, "UINT8_ARRAY", "Uint8Array: one byte per element";
        FixedArray = 6, "FIXED_ARRAY", "FixedArray: boxed elements";
        AnyArray = 7, "ANY_ARRAY", "any[]: a growable array";
        Store = 8, "STORE", "the element store of a growable array";
        Function = 9, "FUNCTION", "a function value";
        Cell = 10, "CELL", "a captured variable holding a boxed value";
        RawCell = 11, "RAW_CELL", "a captured variable holding a raw int32_t or float";
    }
}

impl ClassId {
    /// The name of the BlueScript type with this class, as messages show it; `None` for the
    /// runtime's internal classes.
    pub const fn type_name(self) -> Option<&'static str> {
        Some(match self {
            ClassId::String => "string",
            ClassId::IntArray => "integer[]",
            ClassId::FloatArray => "float[]",
            ClassId::BoolArray => "boolean[]",
            ClassId::Uint8Array => "Uint8Array",
            ClassId::FixedArray => "FixedArray",
            ClassId::AnyArray => "any[]",
            ClassId::Store | ClassId::Function | ClassId::Cell | ClassId::RawCell => return None,
        })
    }
}

abi_enum! {
    /// What a class id describes (`BS_KIND_*`, the `kind` of a `bs_class` descriptor).
    pub enum ClassKind: u32, Bs, "BS_KIND_" {
        Object = 0, "OBJECT", "an instance of a program class";
        RefArray = 1, "REF_ARRAY", "a growable array of references";
    }
}

abi_enum! {
    /// Operator codes of `bs_any_arith` and `bs_any_compare` (`BS_OP_*`); in a TYPE_ERROR's
    /// detail1 they come as `TypeCode::Any + (code << 8)`. The description is the operator.
    pub enum OpCode: u32, Bs, "BS_OP_" {
        Add = 1, "ADD", "+";
        Sub = 2, "SUB", "-";
        Mul = 3, "MUL", "*";
        Div = 4, "DIV", "/";
        Rem = 5, "REM", "%";
        Pow = 6, "POW", "**";
        Lt = 7, "LT", "<";
        Le = 8, "LE", "<=";
        Gt = 9, "GT", ">";
        Ge = 10, "GE", ">=";
        Neg = 11, "NEG", "unary minus";
        Inc = 12, "INC", "++";
        Dec = 13, "DEC", "--";
    }
}

abi_enum! {
    /// Type codes (`BS_TYPE_*`): a field descriptor's type, and what a TYPE_ERROR's detail1
    /// expected. The description is the type's name in messages.
    pub enum TypeCode: u32, Bs, "BS_TYPE_" {
        Integer = 1, "INTEGER", "integer";
        Float = 2, "FLOAT", "float";
        Boolean = 3, "BOOLEAN", "boolean";
        String = 4, "STRING", "string";
        Null = 5, "NULL", "undefined";
        Any = 6, "ANY", "any";
        Object = 7, "OBJECT", "object";
        Array = 8, "ARRAY", "array";
    }
}

abi_enum! {
    /// Why access through `any` failed (`BS_TYPE_*` too): a TYPE_ERROR's detail1 is the code
    /// plus the property name id shifted left by 8.
    pub enum AccessError: u32, Bs, "BS_TYPE_" {
        NoProperty = 9, "NO_PROPERTY", "no such property";
        NoMethod = 10, "NO_METHOD", "no such method";
        NotCallable = 11, "NOT_CALLABLE", "not a function of this type";
        ArgCount = 12, "ARG_COUNT", "wrong number of arguments";
    }
}

abi_enum! {
    /// Property names with fixed ids (`NAME_*` in bs_dynamic.c); the host gives the other names
    /// used through `any` ids after these. The description is the name in the language.
    pub enum BuiltinName: u32, Dynamic, "NAME_" {
        Length = 0, "LENGTH", "length";
        StartsWith = 1, "STARTS_WITH", "startsWith";
        EndsWith = 2, "ENDS_WITH", "endsWith";
        Substring = 3, "SUBSTRING", "substring";
        Push = 4, "PUSH", "push";
        Pop = 5, "POP", "pop";
        Unshift = 6, "UNSHIFT", "unshift";
        Shift = 7, "SHIFT", "shift";
    }
}

impl BuiltinName {
    /// The property names in id order (`BUILTIN_NAMES[id]`).
    pub const NAMES: [&'static str; BuiltinName::ALL.len()] = {
        let mut names = [""; BuiltinName::ALL.len()];
        let mut i = 0;
        while i < names.len() {
            names[i] = BuiltinName::ALL[i].description();
            i += 1;
        }
        names
    };

    /// The built-in name spelled `name` in the language.
    pub fn from_property(name: &str) -> Option<BuiltinName> {
        BuiltinName::ALL
            .into_iter()
            .find(|n| n.description() == name)
    }
}

abi_open_enum! {
    /// Run-time error codes (`BS_ERR_*` in bs.h, `docs/protocol.md` section 4): the code of an
    /// ERROR message. The description is a short summary without the details.
    pub enum ErrorCode: u16, Bs, "BS_ERR_" {
        /// Integer division or remainder by zero.
        DivZero = 1, "DIV_ZERO", "division by zero";
        /// d1 = bytes requested.
        OutOfMemory = 2, "OUT_OF_MEMORY", "out of memory";
        StackOverflow = 3, "STACK_OVERFLOW", "stack overflow";
        /// address = fault address, d1 = signal or fault kind.
        Fault = 4, "FAULT", "memory fault";
        /// A LOAD or PEEK outside the code and data regions, or a SWAP outside the data region or
        /// not aligned (address, d1 = length).
        LoadRange = 5, "LOAD_RANGE", "load outside the code and data regions";
        /// HELLO with another protocol version (d1 = the device's version).
        BadVersion = 6, "BAD_VERSION", "unsupported protocol version";
        /// Unknown kind or malformed payload (d1 = kind).
        BadMessage = 7, "BAD_MESSAGE", "malformed or unknown message";
        /// CALL to an address outside the code region (address = entry).
        CallRange = 8, "CALL_RANGE", "call outside the code region";
        /// d1 = index, d2 = length.
        IndexRange = 9, "INDEX_RANGE", "array index out of range";
        /// A failed run-time type conversion (d1 = what was expected, a [`TypeCode`] or
        /// [`TYPE_CLASS_BASE`] + class id, or an [`AccessError`] or [`OpCode`] form).
        TypeError = 10, "TYPE", "type error";
        /// A request other than HELLO before the first HELLO since the device started: the
        /// device was reset and knows nothing of the session.
        NoSession = 11, "NO_SESSION", "no session (the device was reset)";
        /// The host asked the device to stop the running CALL (INTERRUPT); d2 = the program
        /// counter in loaded code where it stopped (or the innermost return address into loaded
        /// code when it stopped in the runtime), 0 when unknown.
        Interrupted = 12, "INTERRUPTED", "interrupted";
        /// A paired device refused a request that is not authenticated as it requires
        /// (d1 = an [`AuthRefusal`], d2 = the request's kind, address = the frame's counter).
        Auth = 13, "AUTH", "request not authenticated";
        /// SWAP found another value than the expected one in its word (d1 = the value found,
        /// address = the word's address); nothing was written.
        SwapMismatch = 14, "SWAP_MISMATCH", "the word to swap held another value";
        /// setInterval or setTimeout found every timer in use (d1 = how many the device has).
        Timers = 15, "TIMERS", "too many timers";
    }
    /// A code this host does not know.
    Unknown, "unknown error"
}

impl ErrorCode {
    /// The code for a number; unknown numbers give [`ErrorCode::Unknown`].
    pub const fn from_u16(code: u16) -> ErrorCode {
        ErrorCode::from_code(code)
    }

    /// The C name without its prefix (`BS_ERR_<name>`); `None` for unknown codes.
    pub const fn c_name(self) -> Option<&'static str> {
        self.name()
    }

    /// A short description of the error without its details, e.g. "division by zero".
    pub const fn summary(self) -> &'static str {
        self.description()
    }
}

impl From<u16> for ErrorCode {
    fn from(code: u16) -> ErrorCode {
        ErrorCode::from_code(code)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorCode::Unknown(code) => write!(f, "unknown error code {code}"),
            known => f.write_str(known.summary()),
        }
    }
}

abi_enum! {
    /// Message kinds (`BS_MSG_*` in bs_protocol.h, `docs/protocol.md` section 3): the second
    /// byte of every frame. Host → device requests have the high bit clear, device → host
    /// replies have it set.
    pub enum Kind: u8, Protocol, "BS_MSG_" {
        Hello = 0x01, "HELLO", "host → device: u16 protocol version, u32 host id";
        Load = 0x02, "LOAD", "host → device: u32 address, then bytes to copy there";
        Call = 0x03, "CALL", "host → device: u32 entry address";
        Reset = 0x04, "RESET", "host → device: clear heap, code and data; new session id";
        MemInfo = 0x05, "MEMINFO", "host → device: ask for heap and region usage";
        Ack = 0x06, "ACK", "host → device: the device frame with this frame's seq arrived";
        Interrupt = 0x07, "INTERRUPT", "host → device: stop the CALL sent with this frame's seq (not acknowledged)";
        Ping = 0x08, "PING", "host → device: are you there? (during the CALL sent with this frame's seq)";
        Patch = 0x09, "PATCH", "host → device: pause the CALL sent with this frame's seq at its next patch point (not acknowledged)";
        Swap = 0x0A, "SWAP", "host → device: u32 address of a data word, u32 expected, u32 new value";
        Resume = 0x0B, "RESUME", "host → device: go on with the CALL paused for a patch";
        Peek = 0x0C, "PEEK", "host → device: u32 address, u16 length: read code or data bytes";
        Events = 0x0D, "EVENTS", "host → device: fetch what callbacks printed and their errors";
        HelloReply = 0x81, "HELLO_REPLY", "device → host: version, build id, session id, regions";
        Ok = 0x82, "OK", "device → host: u8 kind of the acknowledged request";
        Output = 0x83, "OUTPUT", "device → host: u8 stream, then text";
        Result = 0x84, "RESULT", "device → host: u32 run time of a call in microseconds";
        Error = 0x85, "ERROR", "device → host: an error report";
        MemInfoReply = 0x86, "MEMINFO_REPLY", "device → host: heap and region usage";
        DeviceAck = 0x87, "DEVICE_ACK", "device → host: the host frame with this frame's seq arrived; u32 session id";
        Pong = 0x88, "PONG", "device → host: the answer to PING, sent while a CALL runs (not acknowledged)";
        Profile = 0x89, "PROFILE", "device → host: a reply of the running CALL: u32 record, u8 row, u8 n, n × u16 signature";
        Paused = 0x8A, "PAUSED", "device → host: a reply of the running CALL: paused for a patch, serving requests until RESUME";
        PeekReply = 0x8B, "PEEK_REPLY", "device → host: the bytes PEEK asked for";
        EventsReply = 0x8C, "EVENTS_REPLY", "device → host: u8 flags, u8 active timers, u32 dropped events, u32 dropped bytes, records";
    }
}

abi_enum! {
    /// Why a paired device refused a request (`BS_AUTH_REFUSED_*` in bs_protocol.h,
    /// `docs/protocol.md` section 6): detail 1 of an ERROR `AUTH`.
    pub enum AuthRefusal: u32, Protocol, "BS_AUTH_REFUSED_" {
        Missing = 1, "MISSING", "the device is paired and the request carries no MAC";
        BadMac = 2, "BAD_MAC", "the MAC does not verify (another key, an altered frame, or one made for an earlier start of the device)";
        Replayed = 3, "REPLAYED", "the request's counter is not above the last one the device ran";
        NotPaired = 4, "NOT_PAIRED", "the request carries a MAC but the device has no key";
    }
}

impl Kind {
    /// True for host → device messages.
    pub const fn is_request(self) -> bool {
        self.code() & 0x80 == 0
    }

    /// The kind for a wire byte, if it is one.
    pub const fn from_u8(code: u8) -> Option<Kind> {
        Kind::from_code(code)
    }
}

/// A byte that is not a known message kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownKind(pub u8);

impl fmt::Display for UnknownKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown message kind 0x{:02x}", self.0)
    }
}

impl std::error::Error for UnknownKind {}

impl TryFrom<u8> for Kind {
    type Error = UnknownKind;

    fn try_from(code: u8) -> Result<Kind, UnknownKind> {
        Kind::from_u8(code).ok_or(UnknownKind(code))
    }
}

impl From<Kind> for u8 {
    fn from(kind: Kind) -> u8 {
        kind.code()
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

abi_consts! {
    /// The most untyped arguments a profile record watches (`docs/dynamic.md`).
    pub const PROFILE_MAX_ARGS: usize = 8, Bs, "BS_PROFILE_MAX_ARGS";
    /// The signatures a profile record tells apart before it reports that none dominates.
    pub const PROFILE_ROWS: usize = 4, Bs, "BS_PROFILE_ROWS";
    /// A profile record's state: counting calls before it records.
    pub const PROFILE_COUNTING: u8 = 0, Bs, "BS_PROFILE_COUNTING";
    /// A profile record's state: recording signatures.
    pub const PROFILE_RECORDING: u8 = 1, Bs, "BS_PROFILE_RECORDING";
    /// A profile record's state: it reported (PROFILE); it only looks for a patch now.
    pub const PROFILE_REPORTED: u8 = 2, Bs, "BS_PROFILE_REPORTED";
    /// A profile record's state: switched off by the host.
    pub const PROFILE_OFF: u8 = 3, Bs, "BS_PROFILE_OFF";
    /// PROFILE's row when no signature dominates.
    pub const PROFILE_NO_ROW: u8 = 0xFF, Bs, "BS_PROFILE_NO_ROW";
    /// An argument's signature in PROFILE: an integer.
    pub const SIG_INTEGER: u16 = 0xFFF1, Bs, "BS_SIG_INTEGER";
    /// An argument's signature in PROFILE: a float.
    pub const SIG_FLOAT: u16 = 0xFFF2, Bs, "BS_SIG_FLOAT";
    /// An argument's signature in PROFILE: a boolean.
    pub const SIG_BOOLEAN: u16 = 0xFFF3, Bs, "BS_SIG_BOOLEAN";
    /// An argument's signature in PROFILE: undefined or null. Other signatures are class ids.
    pub const SIG_UNDEFINED: u16 = 0xFFF4, Bs, "BS_SIG_UNDEFINED";
    /// Undefined (and null) as a boxed value.
    pub const NULL: u32 = 3, Bs, "BS_NULL";
    /// `false` as a boxed value.
    pub const FALSE: u32 = 2, Bs, "BS_FALSE";
    /// `true` as a boxed value.
    pub const TRUE: u32 = 6, Bs, "BS_TRUE";
    /// Header flag: reached by the current collection.
    pub const HDR_MARK: u32 = 1, Bs, "BS_HDR_MARK";
    /// Header flag: not in the heap (e.g. a string literal in a unit's rodata).
    pub const HDR_STATIC: u32 = 2, Bs, "BS_HDR_STATIC";
    /// The first class id the host gives out.
    pub const FIRST_PROGRAM_CLASS: u32 = 16, Bs, "BS_FIRST_PROGRAM_CLASS";
    /// The size of the device's class table (ids 0 .. MAX_CLASSES-1).
    pub const MAX_CLASSES: u32 = 1024, Bs, "BS_MAX_CLASSES";
    /// For a class or array type, a TYPE_ERROR's detail1 is this plus its class id.
    pub const TYPE_CLASS_BASE: u32 = 0x10000, Bs, "BS_TYPE_CLASS_BASE";
    /// In a growable array class's `element_id`: undefined may be an element too.
    pub const ELEMENT_NULLABLE: u32 = 0x8000_0000, Bs, "BS_ELEMENT_NULLABLE";
    /// The protocol version (HELLO / HELLO_REPLY).
    pub const PROTOCOL_VERSION: u16 = 7, Protocol, "BS_PROTOCOL_VERSION";
    /// HELLO's payload: the u16 protocol version and the u32 host id.
    pub const HELLO_LEN: usize = 6, Protocol, "BS_HELLO_SIZE";
    /// RESULT's and EVENTS_REPLY's flag: timers are active (or a driver may post events).
    pub const EVENTS_ACTIVE: u8 = 1, Protocol, "BS_EVENTS_ACTIVE";
    /// RESULT's and EVENTS_REPLY's flag: records or dropped counts wait to be fetched.
    pub const EVENTS_WAITING: u8 = 2, Protocol, "BS_EVENTS_WAITING";
    /// EVENTS_REPLY's flag: the device holds more records than the reply carried.
    pub const EVENTS_MORE: u8 = 4, Protocol, "BS_EVENTS_MORE";
    /// MEMINFO's flag: collect garbage before counting the heap.
    pub const MEMINFO_COLLECT: u8 = 1, Protocol, "BS_MEMINFO_COLLECT";
    /// HELLO_REPLY's payload: the device's description, then the auth fields.
    pub const HELLO_REPLY_LEN: usize = 63, Protocol, "BS_HELLO_REPLY_SIZE";
    /// The bit of the kind byte that marks an authenticated request.
    pub const AUTH_FLAG: u8 = 0x40, Protocol, "BS_AUTH_FLAG";
    /// An authenticated request's trailer: u32 counter and the MAC.
    pub const AUTH_TRAILER_LEN: usize = 20, Protocol, "BS_AUTH_TRAILER_SIZE";
    /// The device's nonce, chosen once per start (the MAC covers it; frames do not carry it).
    pub const AUTH_NONCE_LEN: usize = 8, Protocol, "BS_AUTH_NONCE_SIZE";
    /// The MAC in a trailer: the first bytes of an HMAC-SHA-256.
    pub const AUTH_MAC_LEN: usize = 16, Protocol, "BS_AUTH_MAC_SIZE";
    /// A pairing key.
    pub const AUTH_KEY_LEN: usize = 32, Protocol, "BS_AUTH_KEY_SIZE";
    /// A key's id (not secret): which key a device holds.
    pub const AUTH_KEY_ID_LEN: usize = 8, Protocol, "BS_AUTH_KEY_ID_SIZE";
    /// HELLO_REPLY's auth mode of a paired device (0: unpaired).
    pub const AUTH_MODE_HMAC_SHA256: u8 = 1, Protocol, "BS_AUTH_MODE_HMAC_SHA256";
    /// The first byte of every frame.
    pub const FRAME_MAGIC: u8 = 0xB5, Protocol, "BS_FRAME_MAGIC";
    /// The largest payload a frame may carry.
    pub const MAX_PAYLOAD: usize = 1024, Protocol, "BS_MAX_PAYLOAD";
    /// Bytes before a frame's payload: magic, kind, seq, reply-to, u16 length.
    pub const FRAME_HEADER_LEN: usize = 6, Protocol, "BS_FRAME_HEADER_SIZE";
    /// Bytes after a frame's payload: the CRC-32 of header and payload.
    pub const FRAME_CRC_LEN: usize = 4, Protocol, "BS_FRAME_CRC_SIZE";
}

/// One table as the header test sees it.
#[derive(Clone, Debug)]
pub struct TableInfo {
    /// The Rust name, e.g. `ClassId`.
    pub name: &'static str,
    /// The file whose macros it mirrors.
    pub header: Header,
    /// The prefix its C macros share; every macro of `header` with it must be an entry of some
    /// table.
    pub c_prefix: &'static str,
    /// Its entries.
    pub entries: Vec<Entry>,
}

/// Every table (the list to extend when adding one).
pub fn tables() -> Vec<TableInfo> {
    fn of<T: Table>() -> TableInfo {
        TableInfo {
            name: T::NAME,
            header: T::HEADER,
            c_prefix: T::C_PREFIX,
            entries: T::entries().iter().map(|e| e.entry()).collect(),
        }
    }
    vec![
        of::<ClassId>(),
        of::<ClassKind>(),
        of::<OpCode>(),
        of::<TypeCode>(),
        of::<AccessError>(),
        of::<BuiltinName>(),
        of::<ErrorCode>(),
        of::<Kind>(),
        of::<AuthRefusal>(),
    ]
}

/// Every entry of every table and every constant: what the header test compares with the C side.
pub fn entries() -> Vec<Entry> {
    tables()
        .into_iter()
        .flat_map(|t| t.entries)
        .chain(CONSTANTS.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for (i, code) in ErrorCode::KNOWN.into_iter().enumerate() {
            assert_eq!(code.code() as usize, i + 1);
            assert_eq!(ErrorCode::from_u16(code.code()), code);
            assert!(code.c_name().is_some());
        }
        assert_eq!(ErrorCode::from_u16(16), ErrorCode::Unknown(16));
        assert_eq!(ErrorCode::Unknown(300).code(), 300);
        assert_eq!(ErrorCode::TypeError.c_macro(), Some("BS_ERR_TYPE"));
        for class in ClassId::ALL {
            assert_eq!(ClassId::from_code(class as u32), Some(class));
        }
        assert_eq!(ClassId::Uint8Array as u32, 5);
        assert_eq!(OpCode::Ge.code(), 10);
        assert_eq!(OpCode::Pow.description(), "**");
        assert_eq!(BuiltinName::NAMES[4], "push");
        assert_eq!(
            BuiltinName::from_property("shift"),
            Some(BuiltinName::Shift)
        );
        assert_eq!(Kind::MemInfoReply.name(), "MEMINFO_REPLY");
        assert_eq!(Kind::DeviceAck.c_macro(), "BS_MSG_DEVICE_ACK");
    }

    #[test]
    fn entries_have_distinct_macros() {
        let all = entries();
        for (i, a) in all.iter().enumerate() {
            assert!(
                all[i + 1..].iter().all(|b| b.c_macro != a.c_macro),
                "{a:?} twice"
            );
        }
    }
}
