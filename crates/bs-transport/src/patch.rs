//! What the dynamic compiler (`docs/dynamic.md`) exchanges with a running CALL: the device's
//! profile reports, and patches (code and data to load, function slots to swap) that the host
//! installs while the program runs. [`Device::call_with`](crate::Device::call_with) drives them
//! through a [`CallEvents`].

/// Write `new` into the data word at `addr` if it holds `expected` (SWAP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Swap {
    /// The word's address: 4-byte aligned, in the data region.
    pub addr: u32,
    /// The value it must hold.
    pub expected: u32,
    /// The value to write.
    pub new: u32,
}

/// What became of one [`Swap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SwapResult {
    /// The word held the expected value and now holds the new one.
    Swapped,
    /// The word held `found`; nothing was written.
    Mismatch {
        /// The value the word held.
        found: u32,
    },
}

/// Code to install: loads first (in order), then swaps (in order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Patch {
    /// Bytes to copy to an address in the code or data region.
    pub loads: Vec<(u32, Vec<u8>)>,
    /// Words of the data region to swap.
    pub swaps: Vec<Swap>,
}

/// A PROFILE reply: a profile record saw one signature often enough, or saw too many.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProfileReport {
    /// The profile record's address in the data region.
    pub record: u32,
    /// The record's row of the signature; `None`: no signature dominates (`sig` is empty).
    pub row: Option<u8>,
    /// One code per untyped argument: `bs_abi::SIG_*`, else a class id.
    pub sig: Vec<u16>,
}

/// What became of a [`Patch`] that [`CallEvents::patch`] gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatchResult {
    /// Installed while the call ran (its loads done, its swaps with these results, in order).
    Installed(Vec<SwapResult>),
    /// Not installed: the call ended before the device paused for it. Nothing of it was sent.
    NotInstalled,
}

/// What the caller of [`Device::call_with`](crate::Device::call_with) hears of, and may do,
/// while a CALL runs.
pub trait CallEvents {
    /// Program output: stream 0 is standard output, 1 standard error.
    fn output(&mut self, stream: u8, text: &[u8]);
    /// A profile record reported.
    fn profile(&mut self, report: ProfileReport);
    /// Asked at least every 10 ms while the call runs and the host has nothing to do: a
    /// patch to install now (None: nothing).
    fn patch(&mut self) -> Option<Patch>;
    /// What became of the patch that `patch()` gave: installed while the call ran, or
    /// given back because the call ended before the device paused (the session then
    /// installs it after the call with `load` and `swap`).
    fn patched(&mut self, patch: Patch, result: PatchResult);
}

/// The events of a plain [`Device::call`](crate::Device::call): output only.
pub(crate) struct OutputOnly<'a>(pub(crate) &'a mut dyn FnMut(u8, &[u8]));

impl CallEvents for OutputOnly<'_> {
    fn output(&mut self, stream: u8, text: &[u8]) {
        (self.0)(stream, text);
    }
    fn profile(&mut self, _report: ProfileReport) {}
    fn patch(&mut self) -> Option<Patch> {
        None
    }
    fn patched(&mut self, _patch: Patch, _result: PatchResult) {}
}
