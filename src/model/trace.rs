//! What a traced replication records, for either kind of model: every status
//! change, every alarm, fault and runbook step as a typed event, and a coarse
//! time series of the phone system's load.
//!
//! ```text
//!   model ──Tracer::{status, event, load, mark}──▶ a run's tracer (report layer): rows to disk as they come
//!                                              ──▶ Recorder (tests, tools): a Trace in memory
//! ```
//! Facts travel typed: an [`Event`] has a named [`EventKind`] and [`Fields`]
//! (the cause, the links, the service, a status, a count); its `detail` text is
//! rendered for people when the event happens and is never parsed back.
//!
//! The models are generic over a [`Tracer`]; untraced replications use
//! [`NoTrace`], whose methods are empty and inline away, so tracing costs
//! nothing when off. Detail strings are built by closures that only a
//! recording tracer calls.

use crate::engine::Time;
use crate::scenario::{Node, Service, Status};

/// Declares a closed vocabulary of names: an enum with `ALL`, `as_str` and `parse`.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }
            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// Who an event or status change belongs to: a voice server, the cluster as
    /// a whole, or one of the chat pool's two databases.
    Actor {
        Publisher = "publisher",
        Subscriber = "subscriber",
        Cluster = "cluster",
        MgcPrimary = "mgc_primary",
        MgcBackup = "mgc_backup",
    }
}

impl Actor {
    /// The voice server with index `s` (0 publisher, 1 subscriber).
    pub fn server(s: usize) -> Actor {
        [Actor::Publisher, Actor::Subscriber][s]
    }

    /// The voice server's index, if this is one.
    pub fn server_index(self) -> Option<usize> {
        match self {
            Actor::Publisher => Some(0),
            Actor::Subscriber => Some(1),
            _ => None,
        }
    }
}

vocabulary! {
    /// The chat pool's database statuses (docs/model.md, C1–C5).
    DbStatus {
        OnlineMirrored = "online_mirrored",
        LogShipping = "log_shipping",
        Down = "down",
        FailingOver = "failing_over",
        OnlineUnmirrored = "online_unmirrored",
    }
}

/// A status in either model: a voice server's (seed Table 3-1) or a chat database's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    Server(Status),
    Db(DbStatus),
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Server(s) => s.as_str(),
            State::Db(s) => s.as_str(),
        }
    }

    pub fn parse(text: &str) -> Option<State> {
        Status::parse(text).map(State::Server).or_else(|| DbStatus::parse(text).map(State::Db))
    }
}

vocabulary! {
    /// Every kind of event either model records (the `event` column of
    /// `events.csv`). Voice events follow the seed's status-change steps,
    /// faults and admin actions; chat events are log-shipping jobs, the
    /// data-centre loss and the runbook's steps.
    EventKind {
        InitialStatus = "initial_status",
        // Faults and their ends.
        Crash = "crash",
        Restart = "restart",
        Partition = "partition",
        Heal = "heal",
        ServiceStopped = "service_stopped",
        ServiceStarted = "service_started",
        /// A timeline action that changed nothing (a restart of a running
        /// server, a heal of links that were up).
        ActionIgnored = "action_ignored",
        // Administrator actions.
        AdminMakePrimary = "admin_make_primary",
        AdminDeactivate = "admin_deactivate",
        AdminActivate = "admin_activate",
        AdminReplicate = "admin_replicate",
        AdminRefused = "admin_refused",
        TakingCallsStopped = "taking_calls_stopped",
        TakingCallsResumed = "taking_calls_resumed",
        // Role managers (R3–R5, R11).
        KeepaliveLost = "keepalive_lost",
        KeepaliveRestored = "keepalive_restored",
        PrimaryNotHeard = "primary_not_heard",
        ReplicationSuspended = "replication_suspended",
        PingCheckPassed = "ping_check_passed",
        PingCheckFailed = "ping_check_failed",
        StartupCompleted = "startup_completed",
        ReplicationCompleted = "replication_completed",
        // Status changes, in the seed's steps (R4, R7, R8).
        CriticalServiceFailureDetected = "critical_service_failure_detected",
        PublisherReclaimsPrimary = "publisher_reclaims_primary",
        StatusChangeNotified = "status_change_notified",
        StatusChangeStarted = "status_change_started",
        StatusSet = "status_set",
        CriticalServicesStarted = "critical_services_started",
        CriticalServicesDegraded = "critical_services_degraded",
        DataConnectorSwitched = "data_connector_switched",
        ReplicationContinued = "replication_continued",
        StatusChangeCompleted = "status_change_completed",
        StatusChangeAborted = "status_change_aborted",
        // Split brain and its recovery (R13, R15).
        SplitBrainStarted = "split_brain_started",
        SplitBrainDetected = "split_brain_detected",
        MtaNotifierStopped = "mta_notifier_stopped",
        MessageStoreUnmounted = "message_store_unmounted",
        MessageStoreMounted = "message_store_mounted",
        MtaNotifierStarted = "mta_notifier_started",
        MailboxSyncStarted = "mailbox_sync_started",
        SplitBrainRecoveryCompleted = "split_brain_recovery_completed",
        // Calls and messages.
        CallsDropped = "calls_dropped",
        MwiBacklogReleased = "mwi_backlog_released",
        // Persistent Chat (C1–C5).
        LogBackup = "log_backup",
        LogCopy = "log_copy",
        LogRestore = "log_restore",
        ComplianceAdapter = "compliance_adapter",
        DatacenterDown = "datacenter_down",
        RunbookDecided = "runbook_decided",
        RunbookLogShippingRemoved = "runbook_log_shipping_removed",
        RunbookBackupsCopied = "runbook_backups_copied",
        RunbookBackupsApplied = "runbook_backups_applied",
        RunbookDatabaseOnline = "runbook_database_online",
        RunbookPoolFailedOver = "runbook_pool_failed_over",
        RunbookMirrorInstalled = "runbook_mirror_installed",
        RunbookActiveServersSet = "runbook_active_servers_set",
    }
}

impl EventKind {
    /// The chat runbook's steps, in the seed's order (decide, then steps 1–7).
    pub const RUNBOOK: [EventKind; 8] = [
        EventKind::RunbookDecided,
        EventKind::RunbookLogShippingRemoved,
        EventKind::RunbookBackupsCopied,
        EventKind::RunbookBackupsApplied,
        EventKind::RunbookDatabaseOnline,
        EventKind::RunbookPoolFailedOver,
        EventKind::RunbookMirrorInstalled,
        EventKind::RunbookActiveServersSet,
    ];

    /// Whether this is a step of the chat runbook.
    pub fn is_runbook_step(self) -> bool {
        EventKind::RUNBOOK.contains(&self)
    }
}

/// The nodes of the voice cluster in link order: a directed link is a (from, to) pair.
pub const NODES: [Node; 4] = [Node::Publisher, Node::Subscriber, Node::PhoneSystem, Node::Network];

/// A set of directed links between the voice cluster's nodes (a partition, a heal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Links(u16);

impl Links {
    pub const NONE: Links = Links(0);

    fn bit(from: usize, to: usize) -> u16 {
        1 << (from * 4 + to)
    }

    /// The directed links given as (from, to) node indices into [`NODES`].
    pub fn of(pairs: impl IntoIterator<Item = (usize, usize)>) -> Links {
        Links(pairs.into_iter().fold(0, |bits, (a, b)| bits | Links::bit(a, b)))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn contains(self, from: usize, to: usize) -> bool {
        self.0 & Links::bit(from, to) != 0
    }

    /// The (from, to) index pairs, in order.
    pub fn pairs(self) -> impl Iterator<Item = (usize, usize)> {
        (0..16).filter(move |i| self.0 & (1 << i) != 0).map(|i| (i / 4, i % 4))
    }

    /// Each link once: (a, b, both directions?), a before b for a two-way link.
    pub fn links(self) -> Vec<(Node, Node, bool)> {
        let mut out = vec![];
        for (a, b) in self.pairs() {
            if self.contains(b, a) {
                if a < b {
                    out.push((NODES[a], NODES[b], true));
                }
            } else {
                out.push((NODES[a], NODES[b], false));
            }
        }
        out
    }

    /// The `link` column: `publisher-subscriber` (both directions) or
    /// `publisher>network` (one way), several joined by `;`.
    pub fn to_field(self) -> String {
        let parts: Vec<String> = self
            .links()
            .into_iter()
            .map(|(a, b, both)| format!("{}{}{}", a.as_str(), if both { "-" } else { ">" }, b.as_str()))
            .collect();
        parts.join(";")
    }

    /// Reads a `link` column written by [`Links::to_field`].
    pub fn parse(text: &str) -> Option<Links> {
        let index = |name: &str| NODES.iter().position(|n| n.as_str() == name);
        let mut links = Links::NONE;
        for part in text.split(';').filter(|p| !p.is_empty()) {
            let (a, b, both) = match part.split_once('-') {
                Some((a, b)) => (a, b, true),
                None => {
                    let (a, b) = part.split_once('>')?;
                    (a, b, false)
                }
            };
            let (a, b) = (index(a)?, index(b)?);
            if a == b {
                return None;
            }
            links.0 |= Links::bit(a, b) | if both { Links::bit(b, a) } else { 0 };
        }
        Some(links)
    }

    /// People's form: `publisher–subscriber`, `publisher→network`, joined by ", ".
    pub fn describe(self) -> String {
        let parts: Vec<String> = self
            .links()
            .into_iter()
            .map(|(a, b, both)| format!("{}{}{}", a.as_str(), if both { "–" } else { "→" }, b.as_str()))
            .collect();
        parts.join(", ")
    }
}

/// The typed facts an event carries beside its kind. Which fields an event
/// fills depends on its kind (see the README's description of `events.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fields {
    /// Why, as an identifier: a fault's origin (`timeline`, `random`,
    /// `for_ended`), the admin action refused or ignored, a status change's cause.
    pub cause: Option<&'static str>,
    /// The links a partition cut or a heal restored.
    pub links: Links,
    /// The critical service stopped or started.
    pub service: Option<Service>,
    /// A status the event names (an initial status, the status returned to).
    pub status: Option<State>,
    /// How many: calls dropped or without mailbox, messages, posts, backups, records.
    pub count: Option<u64>,
}

impl Fields {
    pub const NONE: Fields = Fields { cause: None, links: Links::NONE, service: None, status: None, count: None };

    pub fn cause(cause: &'static str) -> Fields {
        Fields { cause: Some(cause), ..Fields::NONE }
    }

    pub fn count(count: u64) -> Fields {
        Fields { count: Some(count), ..Fields::NONE }
    }

    pub fn status(status: State) -> Fields {
        Fields { status: Some(status), ..Fields::NONE }
    }

    pub fn links(links: Links, cause: &'static str) -> Fields {
        Fields { links, cause: Some(cause), ..Fields::NONE }
    }

    pub fn service(service: Service, cause: &'static str) -> Fields {
        Fields { service: Some(service), cause: Some(cause), ..Fields::NONE }
    }
}

/// One event of a traced replication (a row of `events.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub at: Time,
    pub actor: Actor,
    pub kind: EventKind,
    pub fields: Fields,
    /// For people; rendered from the same facts, never read back.
    pub detail: String,
}

/// One status change (a row of `status.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange {
    pub at: Time,
    pub actor: Actor,
    pub from: State,
    pub to: State,
    /// What caused it, as an identifier named after an event or action.
    pub cause: &'static str,
}

/// Why a call did not end normally, or what went wrong with its mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallMark {
    Blocked,
    Dropped,
    MailboxUnavailable,
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

/// The load time series of a model with calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Load {
    pub bin_width: Time,
    pub bins: Vec<LoadBin>,
}

/// A finished trace of one replication, of either kind of model.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Trace {
    pub statuses: Vec<StatusChange>,
    pub events: Vec<Event>,
    /// `None` for a model without calls.
    pub load: Option<Load>,
}

/// What a model tells its trace.
pub trait Tracer {
    fn status(&mut self, at: Time, actor: Actor, from: State, to: State, cause: &'static str);
    fn event(&mut self, at: Time, actor: Actor, kind: EventKind, fields: Fields, detail: impl FnOnce() -> String);
    /// Calls in progress on voice server `server` changed to `count`.
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
    fn status(&mut self, _: Time, _: Actor, _: State, _: State, _: &'static str) {}
    #[inline(always)]
    fn event(&mut self, _: Time, _: Actor, _: EventKind, _: Fields, _: impl FnOnce() -> String) {}
    #[inline(always)]
    fn load(&mut self, _: Time, _: usize, _: u32) {}
    #[inline(always)]
    fn mark(&mut self, _: Time, _: CallMark, _: u32) {}
}

/// The load time series as a replication goes: calls in progress per server,
/// binned into at most `bins` bins over the horizon so a long run stays
/// small. Every recording tracer keeps one.
#[derive(Debug)]
pub struct LoadSeries {
    /// `None` for a model without calls.
    load: Option<Load>,
    bin_width: Time,
    current: [u32; 2],
    /// Bins up to this one have had the load carried into them.
    filled: usize,
}

impl LoadSeries {
    /// A series of at most `bins` bins (none if 0): the bin width is the
    /// horizon over `bins`, rounded up to a whole second.
    pub fn new(horizon: Time, bins: u64) -> Self {
        let second = crate::engine::SECOND;
        let width = second * horizon.split_ceil(bins.max(1)).div_ceil(second).max(1);
        let load = (bins > 0).then(|| {
            let count = horizon.div_ceil(width) as usize;
            let bins = (0..count).map(|i| LoadBin { start: width * i as u64, ..LoadBin::default() }).collect();
            Load { bin_width: width, bins }
        });
        LoadSeries { load, bin_width: width, current: [0; 2], filled: 0 }
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
        let after = self.current;
        let bins = &mut self.load.as_mut()?.bins;
        let index = ((at / self.bin_width) as usize).min(bins.len());
        while self.filled < index {
            self.filled += 1;
            let filled = self.filled;
            if let Some(bin) = bins.get_mut(filled)
                && (filled < index || at > bin.start)
            {
                bin.peak = [bin.peak[0].max(before[0]), bin.peak[1].max(before[1])];
            }
        }
        let bin = bins.get_mut(index)?;
        bin.peak = [bin.peak[0].max(after[0]), bin.peak[1].max(after[1])];
        Some(bin)
    }

    /// Calls in progress on voice server `server` changed to `count`.
    pub fn load(&mut self, at: Time, server: usize, count: u32) {
        let before = self.current;
        self.current[server] = count;
        self.bin(at, before);
    }

    pub fn mark(&mut self, at: Time, mark: CallMark, count: u32) {
        if let Some(bin) = self.bin(at, self.current) {
            match mark {
                CallMark::Blocked => bin.blocked += count,
                CallMark::Dropped => bin.dropped += count,
                CallMark::MailboxUnavailable => bin.mailbox_unavailable += count,
            }
        }
    }

    /// The invariant checker's question (see [`Tracer::check_load`]).
    pub fn check(&self, at: Time, busy: [u32; 2]) -> Result<(), String> {
        if self.current != busy {
            return Err(format!("the trace's calls in progress {:?} ≠ the model's {busy:?}", self.current));
        }
        let Some(load) = &self.load else { return Ok(()) };
        let index = (at / self.bin_width) as usize;
        match load.bins.get(index) {
            // A bin reached by the trace shows at least the calls in progress in it.
            Some(bin) if index <= self.filled && (0..2).any(|s| bin.peak[s] < busy[s]) => Err(format!(
                "load bin at {} µs peaks at {:?} below the {busy:?} calls in progress",
                bin.start, bin.peak
            )),
            _ => Ok(()),
        }
    }

    /// Carries the load to the end of the horizon and hands the series over.
    pub fn finish(mut self) -> Option<Load> {
        if let Some(load) = &self.load {
            let end = self.bin_width * load.bins.len() as u64;
            self.bin(end, self.current);
        }
        self.load
    }
}

/// A tracer that keeps everything in memory (tests and tools; a run's
/// traces go to disk as they happen instead).
#[derive(Debug)]
pub struct Recorder {
    statuses: Vec<StatusChange>,
    events: Vec<Event>,
    series: LoadSeries,
}

impl Recorder {
    /// A recorder with a load series of at most `bins` bins (see [`LoadSeries::new`]).
    pub fn new(horizon: Time, bins: u64) -> Self {
        Recorder { statuses: vec![], events: vec![], series: LoadSeries::new(horizon, bins) }
    }

    pub fn bin_width(&self) -> Time {
        self.series.bin_width()
    }

    /// Carries the load to the end of the horizon and hands the trace over.
    pub fn finish(self) -> Trace {
        Trace { statuses: self.statuses, events: self.events, load: self.series.finish() }
    }
}

impl Tracer for Recorder {
    fn status(&mut self, at: Time, actor: Actor, from: State, to: State, cause: &'static str) {
        self.statuses.push(StatusChange { at, actor, from, to, cause });
    }
    fn event(&mut self, at: Time, actor: Actor, kind: EventKind, fields: Fields, detail: impl FnOnce() -> String) {
        self.events.push(Event { at, actor, kind, fields, detail: detail() });
    }
    fn load(&mut self, at: Time, server: usize, count: u32) {
        self.series.load(at, server, count);
    }
    fn mark(&mut self, at: Time, mark: CallMark, count: u32) {
        self.series.mark(at, mark, count);
    }
    fn check_load(&self, at: Time, busy: [u32; 2]) -> Result<(), String> {
        self.series.check(at, busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SECOND;

    #[test]
    fn vocabularies_round_trip_their_names() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(*kind));
        }
        for actor in Actor::ALL {
            assert_eq!(Actor::parse(actor.as_str()), Some(*actor));
        }
        for status in Status::ALL.map(State::Server).into_iter().chain(DbStatus::ALL.iter().map(|s| State::Db(*s))) {
            assert_eq!(State::parse(status.as_str()), Some(status));
        }
        assert_eq!(EventKind::parse("no_such_event"), None);
    }

    #[test]
    fn links_round_trip_their_field() {
        // Publisher–subscriber both ways, publisher→network one way.
        let links = Links::of([(0, 1), (1, 0), (0, 3)]);
        assert_eq!(links.to_field(), "publisher-subscriber;publisher>network");
        assert_eq!(links.describe(), "publisher–subscriber, publisher→network");
        assert_eq!(Links::parse(&links.to_field()), Some(links));
        assert_eq!(Links::parse(""), Some(Links::NONE));
        assert_eq!(Links::parse("publisher-publisher"), None);
        assert_eq!(Links::parse("publisher~subscriber"), None);
    }

    #[test]
    fn an_empty_bin_shows_the_level_that_held_through_it() {
        // 10 s bins. 3 calls from 5 s, 0 from 25 s: bin 0 peaks at 3, bin 1
        // (10–20 s, no change) shows the 3 that held, bin 2 the 3 held until
        // 25 s; bin 3 nothing.
        let mut r = Recorder::new(SECOND * 40, 4);
        r.load(SECOND * 5, 0, 3);
        r.load(SECOND * 25, 0, 0);
        let trace = r.finish();
        let peaks: Vec<u32> = trace.load.unwrap().bins.iter().map(|b| b.peak[0]).collect();
        assert_eq!(peaks, [3, 3, 3, 0]);
    }
}
