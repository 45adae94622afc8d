//! What a traced replication records: every status change, every alarm and
//! fault, and a coarse time series of the phone system's load.
//!
//! The model is generic over a [`Tracer`]; untraced replications use [`NoTrace`],
//! whose methods are empty and inline away, so tracing costs nothing when off.
//! Detail strings are built by closures that only a recording tracer calls.

use crate::engine::Time;
use crate::scenario::Status;

/// Why a call did not end normally, or what went wrong with its mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallMark {
    Blocked,
    Dropped,
    MailboxUnavailable,
}

pub trait Tracer {
    fn status(&mut self, at: Time, server: usize, from: Status, to: Status, cause: &'static str);
    fn event(&mut self, at: Time, server: Option<usize>, event: &'static str, detail: impl FnOnce() -> String);
    /// Calls in progress on `server` changed to `count`.
    fn load(&mut self, at: Time, server: usize, count: u32);
    fn mark(&mut self, at: Time, mark: CallMark, count: u32);
    /// The invariant checker's question: does the trace agree with the
    /// model's calls in progress per server, `busy`, at `at`?
    fn check_load(&self, _at: Time, _busy: [u32; 2]) -> Result<(), String> {
        Ok(())
    }
}

/// The tracer of untraced replications.
pub struct NoTrace;

impl Tracer for NoTrace {
    #[inline(always)]
    fn status(&mut self, _: Time, _: usize, _: Status, _: Status, _: &'static str) {}
    #[inline(always)]
    fn event(&mut self, _: Time, _: Option<usize>, _: &'static str, _: impl FnOnce() -> String) {}
    #[inline(always)]
    fn load(&mut self, _: Time, _: usize, _: u32) {}
    #[inline(always)]
    fn mark(&mut self, _: Time, _: CallMark, _: u32) {}
}

/// One row of `status.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRow {
    pub at: Time,
    pub server: usize,
    pub from: Status,
    pub to: Status,
    pub cause: &'static str,
}

/// One row of `events.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub at: Time,
    pub server: Option<usize>,
    pub event: &'static str,
    pub detail: String,
}

/// One bin of the load time series: peak calls in progress per server and the
/// calls blocked, dropped and without mailbox in the bin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoadBin {
    pub start: Time,
    pub peak: [u32; 2],
    pub blocked: u32,
    pub dropped: u32,
    pub mailbox_unavailable: u32,
}

/// A tracer that keeps everything in memory, binning the load into at most
/// `bins` bins over the horizon so a long run stays small.
#[derive(Debug)]
pub struct Recorder {
    pub statuses: Vec<StatusRow>,
    pub events: Vec<EventRow>,
    pub load: Vec<LoadBin>,
    bin_width: Time,
    current: [u32; 2],
    /// Bins up to this one have had the load carried into them.
    filled: usize,
}

impl Recorder {
    /// The bin width is the horizon over `bins`, rounded up to a whole second.
    pub fn new(horizon: Time, bins: u64) -> Self {
        let second = crate::engine::SECOND;
        let width = horizon.div_ceil(bins.max(1)).div_ceil(second).max(1) * second;
        let count = horizon.div_ceil(width) as usize;
        let load = (0..count).map(|i| LoadBin { start: i as Time * width, ..LoadBin::default() }).collect();
        Recorder { statuses: vec![], events: vec![], load, bin_width: width, current: [0; 2], filled: 0 }
    }

    pub fn bin_width(&self) -> Time {
        self.bin_width
    }

    /// The bin of `at`, after carrying the load into every bin since the
    /// last one touched: a whole bin with no change shows the level `before`
    /// that held through it, `at`'s own bin shows it only if it held there for
    /// some time, and then the level in force from `at` on (`current`, which
    /// the caller has already updated).
    fn bin(&mut self, at: Time, before: [u32; 2]) -> Option<&mut LoadBin> {
        let index = ((at / self.bin_width) as usize).min(self.load.len());
        while self.filled < index {
            self.filled += 1;
            let filled = self.filled;
            if let Some(bin) = self.load.get_mut(filled)
                && (filled < index || at > bin.start)
            {
                bin.peak = [bin.peak[0].max(before[0]), bin.peak[1].max(before[1])];
            }
        }
        let after = self.current;
        let bin = self.load.get_mut(index)?;
        bin.peak = [bin.peak[0].max(after[0]), bin.peak[1].max(after[1])];
        Some(bin)
    }

    /// Carries the load to the end of the horizon.
    pub fn finish(&mut self) {
        let end = self.load.len() as Time * self.bin_width;
        self.bin(end, self.current);
    }
}

impl Tracer for Recorder {
    fn status(&mut self, at: Time, server: usize, from: Status, to: Status, cause: &'static str) {
        self.statuses.push(StatusRow { at, server, from, to, cause });
    }
    fn event(&mut self, at: Time, server: Option<usize>, event: &'static str, detail: impl FnOnce() -> String) {
        self.events.push(EventRow { at, server, event, detail: detail() });
    }
    fn load(&mut self, at: Time, server: usize, count: u32) {
        let before = self.current;
        self.current[server] = count;
        self.bin(at, before);
    }
    fn mark(&mut self, at: Time, mark: CallMark, count: u32) {
        if let Some(bin) = self.bin(at, self.current) {
            match mark {
                CallMark::Blocked => bin.blocked += count,
                CallMark::Dropped => bin.dropped += count,
                CallMark::MailboxUnavailable => bin.mailbox_unavailable += count,
            }
        }
    }
    fn check_load(&self, at: Time, busy: [u32; 2]) -> Result<(), String> {
        if self.current != busy {
            return Err(format!("the trace's calls in progress {:?} ≠ the model's {busy:?}", self.current));
        }
        let index = (at / self.bin_width) as usize;
        match self.load.get(index) {
            // A bin reached by the trace shows at least the calls in progress in it.
            Some(bin) if index <= self.filled && (0..2).any(|s| bin.peak[s] < busy[s]) => Err(format!(
                "load bin at {} µs peaks at {:?} below the {busy:?} calls in progress",
                bin.start, bin.peak
            )),
            _ => Ok(()),
        }
    }
}

/// A status change in the form the report writes, for any kind of model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextStatus {
    pub at: Time,
    pub server: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub cause: &'static str,
}

/// An event in the form the report writes, for any kind of model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEvent {
    pub at: Time,
    pub server: &'static str,
    pub event: &'static str,
    pub detail: String,
}

/// A finished trace of either kind of scenario.
#[derive(Debug)]
pub enum Trace {
    Voice(Recorder),
    Chat(super::chat::ChatRecorder),
}

impl Trace {
    pub fn statuses(&self) -> Vec<TextStatus> {
        match self {
            Trace::Voice(r) => r
                .statuses
                .iter()
                .map(|s| TextStatus {
                    at: s.at,
                    server: super::voice::server_name(s.server),
                    from: s.from.as_str(),
                    to: s.to.as_str(),
                    cause: s.cause,
                })
                .collect(),
            Trace::Chat(c) => c.statuses.clone(),
        }
    }

    pub fn events(&self) -> Vec<TextEvent> {
        match self {
            Trace::Voice(r) => r
                .events
                .iter()
                .map(|e| TextEvent {
                    at: e.at,
                    server: e.server.map(super::voice::server_name).unwrap_or("cluster"),
                    event: e.event,
                    detail: e.detail.clone(),
                })
                .collect(),
            Trace::Chat(c) => c.events.clone(),
        }
    }

    /// The load time series (bin width and bins), for the voice model.
    pub fn load(&self) -> Option<(Time, &[LoadBin])> {
        match self {
            Trace::Voice(r) => Some((r.bin_width(), &r.load)),
            Trace::Chat(_) => None,
        }
    }
}
