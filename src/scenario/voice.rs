//! The voice-messaging scenario format (docs/scenarios.md) and its validation.
//!
//! Every struct denies unknown keys; every default below is the one
//! docs/scenarios.md documents. `validate` checks what serde cannot:
//! relations between fields and the bounds that keep a run finite.

use super::duration::Duration;
pub use super::link::{HealTarget, LinkSpec, Node};
use super::measure::{Expectation, Window};
use super::{Invalid, Kind};
use crate::engine::{DAY, HOUR, Time};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

/// Longest simulated horizon a scenario may ask for: 100 years.
pub const MAX_HORIZON: Time = DAY.saturating_mul(36_525);
/// Most calls one replication may expect (calls per hour × peak profile × hours).
pub const MAX_EXPECTED_CALLS: f64 = 1e9;
/// Most calls one invocation may expect over all its replications (and
/// strategies or grid points): past it a run would take hours; shards split it.
pub const MAX_CALLS_PER_RUN: f64 = 1e11;
/// Most faults one random-failure process may expect in one replication.
pub const MAX_EXPECTED_FAULTS: f64 = 1e7;
/// Most occurrences of one repeating timeline entry.
pub const MAX_REPETITIONS: u64 = 1_000_000;
/// Most replications of one run.
pub const MAX_REPLICATIONS: u32 = 10_000_000;
/// Most ports on either side of the phone system or on a server.
pub const MAX_PORTS: u32 = 100_000;

/// A voice-messaging scenario: a two-server cluster (publisher and
/// subscriber), the phone system in front of it, its calls, and the failures
/// it meets. `kind` may be left out.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a mapping of scenario keys such as `duration: 4h`")]
pub struct VoiceScenario {
    /// The scenario's name, which names its results folder (`results/NAME/`):
    /// 1 to 100 letters, digits, `-`, `_` or `.`, not starting with `.`.
    /// Default: the file name without its extension.
    #[serde(default)]
    #[schemars(regex(pattern = NAME_PATTERN))]
    pub name: Option<String>,
    /// What the scenario shows, for people; the simulation ignores it.
    #[serde(default)]
    pub description: Option<String>,
    /// `voice_messaging`, the default; `persistent_chat` scenarios have keys of their own.
    #[serde(default)]
    #[schemars(schema_with = "voice_kind", extend("default" = "voice_messaging"))]
    pub kind: Option<String>,
    /// The simulated horizon, from t = 0. Required; longer than 0s, at most 36525d (100 years).
    pub duration: Duration,
    /// Metrics ignore what happens before this time: calls count if they
    /// arrive at or after it, and time metrics start from it. Default 0s;
    /// shorter than `duration`; not with `window`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup: Option<Duration>,
    /// Measure only `[from, to)` of the run: e.g. the hours of an
    /// outage or the busy hour. Default: from `warmup` to `duration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// Bounds the run's metrics must keep, judged after it: `holds`, `fails`
    /// (exit status 3) or `unsure`. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect: Vec<Expectation>,
    /// The master seed: replication i draws from its own seed derived from
    /// (seed, i), so a run is reproducible (rule R21). Default 1; `--seed`
    /// overrides it.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Independent replications, summarised as mean, 95% confidence interval,
    /// min and max. Default 1; 1 to 10000000; `--replications` overrides it.
    #[serde(default = "default_replications")]
    #[schemars(range(min = 1, max = MAX_REPLICATIONS))]
    pub replications: u32,
    /// The two servers' role managers: keepalives, status-change timings and
    /// the statuses at t = 0.
    #[serde(default)]
    pub cluster: Cluster,
    /// How the phone system spreads calls over the servers' voice-messaging
    /// ports (rule R17).
    #[serde(default)]
    pub phone_system: PhoneSystem,
    /// The calls: arrivals, hold times and what callers do (rule R19).
    #[serde(default)]
    pub traffic: Traffic,
    /// The failure timeline: entries at given times, each with one action.
    /// Default: none.
    #[serde(default)]
    pub failures: Vec<TimelineEntry>,
    /// Faults drawn at random, with exponential times to failure and to repair
    /// (rule R20). Default: none.
    #[serde(default)]
    pub random_failures: RandomFailures,
}

/// What a scenario name may be (it names a folder): one plain path segment.
pub const NAME_PATTERN: &str = r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$";

/// `kind` of a voice scenario: the one value that selects it.
fn voice_kind(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "const": "voice_messaging"})
}

/// The master seed of a scenario that gives none.
pub(super) fn default_seed() -> u64 {
    1
}
/// The replications of a scenario that gives none.
pub(super) fn default_replications() -> u32 {
    1
}

/// One of the two servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServerName {
    Publisher,
    Subscriber,
}

impl ServerName {
    pub fn index(self) -> usize {
        self as usize
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ServerName::Publisher => "publisher",
            ServerName::Subscriber => "subscriber",
        }
    }
}

/// The seven server statuses of seed Table 3-1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Primary,
    Secondary,
    Deactivated,
    NotFunctioning,
    Starting,
    ReplicatingData,
    SplitBrainRecovery,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Primary,
        Status::Secondary,
        Status::Deactivated,
        Status::NotFunctioning,
        Status::Starting,
        Status::ReplicatingData,
        Status::SplitBrainRecovery,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Primary => "primary",
            Status::Secondary => "secondary",
            Status::Deactivated => "deactivated",
            Status::NotFunctioning => "not_functioning",
            Status::Starting => "starting",
            Status::ReplicatingData => "replicating_data",
            Status::SplitBrainRecovery => "split_brain_recovery",
        }
    }
    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The critical services of seed Table 3-4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    /// Voice-message processing: stopped, its server answers no calls and drops those in progress.
    ConversationManager,
    /// The Connection database: stopped, no mailbox access through its server.
    Database,
    /// Database and message-store replication: stopped, messages left on one
    /// server are not seen by the other, and their MWIs wait.
    Replication,
    /// Single inbox with Exchange: stopped on the primary, counted in `mailbox_sync_down_s`.
    MailboxSync,
}

impl Service {
    pub const ALL: [Service; 4] =
        [Service::ConversationManager, Service::Database, Service::Replication, Service::MailboxSync];
    pub fn index(self) -> usize {
        self as usize
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Service::ConversationManager => "conversation_manager",
            Service::Database => "database",
            Service::Replication => "replication",
            Service::MailboxSync => "mailbox_sync",
        }
    }
}

/// The role managers of the publisher and the subscriber.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, default, expecting = "a mapping of cluster settings, e.g. {takeover: 5s}")]
pub struct Cluster {
    /// The keepalives by which each server learns whether its peer is there (rule R3).
    pub keepalive: Keepalive,
    /// From a secondary's decision to take over (`status_change_started`) until
    /// it is primary (rule R4); also how long a hand-over between the servers
    /// takes (rules R7, R8, R11). Default 5s; 0s to 30d.
    pub takeover: Duration,
    /// How long a restarted or activated server stays `starting` before it
    /// takes the fitting status (rules R9, R11). Default 3m; 0s to 30d.
    pub starting: Duration,
    /// How long a `replicate` entry keeps its server in `replicating_data`
    /// (rule R12). Default 2m; 0s to 30d.
    pub replicating: Duration,
    /// The base time both servers spend in `split_brain_recovery` once
    /// keepalives flow again between two primaries (rule R15). Default 3m; 0s to 30d.
    pub split_brain_recovery: Duration,
    /// Added to the split-brain recovery for each message left while the
    /// cluster was split (rule R15). Default 50ms; 0s to 30d.
    pub split_brain_recovery_per_message: Duration,
    /// For this long from the start of split-brain recovery the message store
    /// is unmounted: calls in progress that use a mailbox find none (rule R15).
    /// Default 30s; 0s to 30d.
    pub message_store_unmount: Duration,
    /// MWIs and notifications a Notifier sends per second, which sets how fast
    /// queued work drains after a recovery (rules R15, R16). Default 20; above 0,
    /// at most 1000000.
    #[schemars(range(max = 1_000_000), extend("exclusiveMinimum" = 0))]
    pub delivery_per_second: f64,
    /// Whether a restarted publisher that comes up `secondary` takes `primary`
    /// back by a manual change, affecting no call (rule R11). Default true.
    pub publisher_reclaims_primary: bool,
    /// The servers' statuses at t = 0 (rule R1). At least one must be able to
    /// hold the primary role.
    pub initial: Initial,
}

impl Default for Cluster {
    fn default() -> Self {
        Cluster {
            keepalive: Keepalive::default(),
            takeover: Duration::from_secs(5),
            starting: Duration::from_mins(3),
            replicating: Duration::from_mins(2),
            split_brain_recovery: Duration::from_mins(3),
            split_brain_recovery_per_message: Duration::from_millis(50),
            message_store_unmount: Duration::from_secs(30),
            delivery_per_second: 20.0,
            publisher_reclaims_primary: true,
            initial: Initial::default(),
        }
    }
}

/// Keepalives between the role managers (rule R3).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, default, expecting = "a mapping such as {interval: 15s, timeout: 45s}")]
pub struct Keepalive {
    /// Each functioning server sends its peer a keepalive this often, and
    /// checks at the same pace whether it has heard from it. Default 15s; at
    /// least 1ms.
    pub interval: Duration,
    /// A server declares its peer unavailable when it has heard nothing from
    /// it for this long; detection then takes between timeout − interval and
    /// timeout + interval. Default 45s; longer than `interval`, at most 1d.
    pub timeout: Duration,
}

impl Default for Keepalive {
    fn default() -> Self {
        Keepalive { interval: Duration::from_secs(15), timeout: Duration::from_secs(45) }
    }
}

/// The statuses at t = 0 (rule R1).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, default, expecting = "a mapping such as {publisher: primary, subscriber: secondary}")]
pub struct Initial {
    /// The publisher's status at t = 0. Default primary.
    #[schemars(schema_with = "initial_status")]
    pub publisher: Status,
    /// The subscriber's status at t = 0. Default secondary.
    #[schemars(schema_with = "initial_status")]
    pub subscriber: Status,
}

/// The statuses a run may start in.
fn initial_status(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "enum": ["primary", "secondary", "deactivated", "not_functioning"]})
}

impl Default for Initial {
    fn default() -> Self {
        Initial { publisher: Status::Primary, subscriber: Status::Secondary }
    }
}

/// Seed Table 3-2's integration types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Integration {
    /// SCCP (Skinny) with Cisco Unified CM: `ports` on each server, twice
    /// `ports` port devices on the phone side; the subscriber answers first.
    Sccp,
    /// A SIP trunk to Cisco Unified CM: half of `ports` (rounded up) on each
    /// server; the route list spreads calls evenly.
    SipTrunk,
    /// PIMG/TIMG gateways: `ports` on each server and `ports` gateway ports
    /// that every call needs; the gateways spread calls evenly.
    PimgTimg,
    /// Another SIP phone system: half of `ports` (rounded up) on each server;
    /// the hunt group spreads calls evenly.
    SipOther,
}

impl Integration {
    pub const ALL: [Integration; 4] =
        [Integration::Sccp, Integration::SipTrunk, Integration::PimgTimg, Integration::SipOther];
    pub fn as_str(self) -> &'static str {
        match self {
            Integration::Sccp => "sccp",
            Integration::SipTrunk => "sip_trunk",
            Integration::PimgTimg => "pimg_timg",
            Integration::SipOther => "sip_other",
        }
    }
    pub fn parse(text: &str) -> Option<Integration> {
        Integration::ALL.into_iter().find(|i| i.as_str() == text)
    }
}

/// Which server the phone system offers a call first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Routing {
    /// The subscriber, then the publisher.
    SubscriberFirst,
    /// The publisher, then the subscriber.
    PublisherFirst,
    /// Each server in turn.
    RoundRobin,
    /// Either, at random (a random stream of its own).
    Random,
    /// The server with fewer calls in progress (then more free ports, then the publisher).
    LeastBusy,
}

/// The phone system and the servers' voice-messaging ports (rules R17, R18).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(
    deny_unknown_fields,
    default,
    expecting = "a mapping of phone system settings, e.g. {integration: sccp, ports: 16}"
)]
pub struct PhoneSystem {
    /// The integration, which sets each server's ports and the routing (seed
    /// Table 3-2). Default sccp.
    pub integration: Integration,
    /// The ports the traffic needs (the seed's 16); each server's share follows
    /// from `integration`. Default 16; 1 to 100000.
    #[schemars(range(min = 1, max = MAX_PORTS))]
    pub ports: u32,
    /// A custom strategy: the ports of each server (and an optional pool of
    /// phone-side ports) instead of the integration's. Default: the integration's.
    pub allocation: Option<Allocation>,
    /// The routing, instead of the integration's. Default: the integration's.
    pub routing: Option<Routing>,
    /// Whether a call that finds its first server full tries the other before
    /// it is blocked (a server that answers no calls is skipped either way).
    /// Default true.
    pub overflow: bool,
    /// For this long after a server stops answering abruptly (a crash, a cut
    /// from the phone system, `conversation_manager` stopped) the phone system
    /// still offers it calls first, and they are blocked (rule R18). Default
    /// 10s; 0s to 1d.
    pub dead_server_detect: Duration,
}

impl Default for PhoneSystem {
    fn default() -> Self {
        PhoneSystem {
            integration: Integration::Sccp,
            ports: 16,
            allocation: None,
            routing: None,
            overflow: true,
            dead_server_detect: Duration::from_secs(10),
        }
    }
}

/// A custom port allocation: ports on each server and, optionally, a pool of
/// phone-side ports that every call also needs (as pimg_timg's gateways).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a mapping of ports per server, e.g. {publisher: 8, subscriber: 12}")]
pub struct Allocation {
    /// Voice-messaging ports on the publisher. Required; 0 to 100000, and the
    /// two servers have at least one port between them.
    #[schemars(range(max = MAX_PORTS))]
    pub publisher: u32,
    /// Voice-messaging ports on the subscriber. Required; 0 to 100000.
    #[schemars(range(max = MAX_PORTS))]
    pub subscriber: u32,
    /// Phone-side ports shared by both servers, one held by every call.
    /// Default: none (no such limit); 1 to 100000.
    #[serde(default)]
    #[schemars(range(min = 1, max = MAX_PORTS))]
    pub phone_system: Option<u32>,
}

/// The calls offered to the cluster (rule R19).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, default, expecting = "a mapping of traffic settings, e.g. {calls_per_hour: 400}")]
pub struct Traffic {
    /// Mean calls per hour, arriving as a Poisson process (times
    /// `hourly_profile` when given). Default 0 (no calls); finite, 0 or more.
    #[schemars(range(min = 0))]
    pub calls_per_hour: f64,
    /// 24 multipliers of `calls_per_hour`, one per hour of the day from
    /// midnight, repeated every day. Default: none (a flat rate); each 0 to 1000.
    #[schemars(length(min = 24, max = 24), inner(range(min = 0, max = 1000)))]
    pub hourly_profile: Option<Vec<f64>>,
    /// How long each call holds its port.
    pub hold_time: HoldTime,
    /// The fraction of calls that are callers leaving a message; the others
    /// are users checking their messages. Both need the mailbox. Default 0.6; 0 to 1.
    #[schemars(range(min = 0, max = 1))]
    pub leave_message: f64,
}

impl Default for Traffic {
    fn default() -> Self {
        Traffic { calls_per_hour: 0.0, hourly_profile: None, hold_time: HoldTime::default(), leave_message: 0.6 }
    }
}

/// The distribution of hold times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HoldDistribution {
    /// Exponential with mean `mean`.
    Exponential,
    /// Lognormal with mean `mean` and standard deviation `sd`.
    Lognormal,
    /// Always `mean`.
    Fixed,
}

/// Hold times of calls (rule R19); `{mean: 60s}` alone is exponential.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, default, expecting = "a mapping such as {distribution: exponential, mean: 90s}")]
pub struct HoldTime {
    /// The hold-time distribution. Default exponential.
    pub distribution: HoldDistribution,
    /// The mean hold time. Default 90s; longer than 0s, at most 1d.
    pub mean: Duration,
    /// The standard deviation of a lognormal hold time: required with
    /// `distribution: lognormal`, refused with the others. Longer than 0s, at most 1d.
    pub sd: Option<Duration>,
}

impl Default for HoldTime {
    fn default() -> Self {
        HoldTime { distribution: HoldDistribution::Exponential, mean: Duration::from_secs(90), sd: None }
    }
}

/// One entry of the failure timeline: a time, exactly one action and, for
/// actions that can heal by themselves, an optional `for`. Entries at the
/// same instant run in file order.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a timeline entry such as {at: 1h, crash: publisher}")]
#[schemars(transform = one_action)]
pub struct TimelineEntry {
    /// When the action happens, from t = 0. Required; before `duration`.
    pub at: Duration,
    /// The action undoes itself this much later: for crash, partition,
    /// isolate, stop_service and the admin actions stop_taking_calls and
    /// deactivate. Longer than 0s (shorter than `every` when repeated).
    #[serde(rename = "for", default, skip_serializing_if = "Option::is_none")]
    pub for_: Option<Duration>,
    /// Repeat the entry this often from `at` (a flapping link, a nightly job).
    /// Longer than 0s; at most 1000000 repetitions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<Duration>,
    /// With `every`: repeat until this time. Default: the end of the run;
    /// after `at`, at most `duration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Duration>,
    /// Crash this server: `not_functioning` at once, its calls in progress
    /// dropped (rule R11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crash: Option<ServerName>,
    /// Restart this server: `starting`, then secondary or primary; every
    /// critical service starts (rule R11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<ServerName>,
    /// Cut a link, in both directions ([A, B]) or one ({from: A, to: B})
    /// (rules R13, R14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<LinkSpec>,
    /// Cut both directions of this server's three links: to its peer, the
    /// phone system and the network (rule R14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isolate: Option<ServerName>,
    /// Restore every link (`all`) or one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heal: Option<HealTarget>,
    /// Stop a critical service on a server (rule R7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_service: Option<ServiceRef>,
    /// Start a critical service on a server again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_service: Option<ServiceRef>,
    /// An administrator's action on a server (rules R8 to R10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin: Option<AdminRef>,
    /// Put this server in `replicating_data` for `cluster.replicating` (rule R12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicate: Option<ServerName>,
}

/// A critical service on one server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a mapping such as {server: publisher, service: database}")]
pub struct ServiceRef {
    /// The server. Required.
    pub server: ServerName,
    /// The critical service (seed Table 3-4). Required.
    pub service: Service,
}

/// What an administrator does in Cluster Management.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AdminAction {
    /// On the secondary: the manual change; it becomes primary and the
    /// primary secondary, with no call affected (rule R8).
    MakePrimary,
    /// The phone system offers the server no new calls; calls in progress
    /// finish (rule R10).
    StopTakingCalls,
    /// Undoes stop_taking_calls.
    ResumeTakingCalls,
    /// Only a secondary: `deactivated`, its calls in progress dropped (rule R9);
    /// refused otherwise.
    Deactivate,
    /// A deactivated server goes `starting`, then secondary (rule R9).
    Activate,
}

impl AdminAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AdminAction::MakePrimary => "make_primary",
            AdminAction::StopTakingCalls => "stop_taking_calls",
            AdminAction::ResumeTakingCalls => "resume_taking_calls",
            AdminAction::Deactivate => "deactivate",
            AdminAction::Activate => "activate",
        }
    }
}

/// An administrator's action on one server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a mapping such as {server: subscriber, action: deactivate}")]
pub struct AdminRef {
    /// The server acted on. Required.
    pub server: ServerName,
    /// The action. Required; an action the cluster refuses is simulated and
    /// logged as `admin_refused`, not an error.
    pub action: AdminAction,
}

/// The keys of a timeline entry that name its action, one per entry.
pub const ACTION_KEYS: [&str; 9] =
    ["crash", "restart", "partition", "isolate", "heal", "stop_service", "start_service", "admin", "replicate"];

/// The schema of a timeline entry requires exactly one action key (with a value).
fn one_action(schema: &mut Schema) {
    let branches: Vec<serde_json::Value> = ACTION_KEYS
        .iter()
        .map(|key| serde_json::json!({"required": [key], "properties": {*key: {"not": {"type": "null"}}}}))
        .collect();
    schema.insert("oneOf".into(), branches.into());
}

/// The action of a timeline entry, once validated to be exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Crash(ServerName),
    Restart(ServerName),
    Partition(LinkSpec),
    Isolate(ServerName),
    Heal(HealTarget),
    StopService(ServiceRef),
    StartService(ServiceRef),
    Admin(AdminRef),
    Replicate(ServerName),
}

impl TimelineEntry {
    /// The keys of the actions present, in declaration order.
    fn action_keys(&self) -> Vec<&'static str> {
        let present = [
            ("crash", self.crash.is_some()),
            ("restart", self.restart.is_some()),
            ("partition", self.partition.is_some()),
            ("isolate", self.isolate.is_some()),
            ("heal", self.heal.is_some()),
            ("stop_service", self.stop_service.is_some()),
            ("start_service", self.start_service.is_some()),
            ("admin", self.admin.is_some()),
            ("replicate", self.replicate.is_some()),
        ];
        present.into_iter().filter(|(_, p)| *p).map(|(k, _)| k).collect()
    }

    /// The entry's single action. Only call on a validated scenario.
    pub fn action(&self) -> Action {
        if let Some(s) = self.crash {
            Action::Crash(s)
        } else if let Some(s) = self.restart {
            Action::Restart(s)
        } else if let Some(p) = &self.partition {
            Action::Partition(*p)
        } else if let Some(s) = self.isolate {
            Action::Isolate(s)
        } else if let Some(h) = self.heal {
            Action::Heal(h)
        } else if let Some(r) = self.stop_service {
            Action::StopService(r)
        } else if let Some(r) = self.start_service {
            Action::StartService(r)
        } else if let Some(a) = self.admin {
            Action::Admin(a)
        } else if let Some(s) = self.replicate {
            Action::Replicate(s)
        } else {
            unreachable!("validated timeline entries have one action")
        }
    }
}

/// Independent random fault processes (rule R20).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a mapping of random failure processes (crash, partition, service)")]
pub struct RandomFailures {
    /// Server crashes and restarts. Default: none.
    #[serde(default)]
    pub crash: Option<CrashProcess>,
    /// Link cuts and heals. Default: none.
    #[serde(default)]
    pub partition: Option<PartitionProcess>,
    /// Critical-service stops and starts. Default: none.
    #[serde(default)]
    pub service: Option<ServiceProcess>,
}

fn both_servers() -> Vec<ServerName> {
    vec![ServerName::Publisher, ServerName::Subscriber]
}

/// Server crashes: each listed server fails after an exponential up time of mean
/// `mtbf` and restarts after an exponential repair of mean `mttr`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a mapping such as {mtbf: 2000h, mttr: 4h}")]
pub struct CrashProcess {
    /// Mean time between failures: the mean of the exponential up time. Required; at least 1s.
    pub mtbf: Duration,
    /// Mean time to repair: the mean of the exponential down time. Required; longer than 0s.
    pub mttr: Duration,
    /// The servers that crash, each independently. Default both; at least one.
    #[serde(default = "both_servers")]
    #[schemars(length(min = 1))]
    pub servers: Vec<ServerName>,
}

/// Link cuts, by default of the publisher–subscriber link.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a mapping such as {mtbf: 8000h, mttr: 15m}")]
pub struct PartitionProcess {
    /// Mean time between cuts: the mean of the exponential up time. Required; at least 1s.
    pub mtbf: Duration,
    /// Mean time to repair: the mean of the exponential cut time. Required; longer than 0s.
    pub mttr: Duration,
    /// The link that is cut. Default [publisher, subscriber].
    #[serde(default = "server_link")]
    pub link: LinkSpec,
}

fn server_link() -> LinkSpec {
    LinkSpec { from: Node::Publisher, to: Node::Subscriber, one_way: false }
}

/// Critical-service stops on each listed server.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a mapping such as {mtbf: 4000h, mttr: 30m, service: database}")]
pub struct ServiceProcess {
    /// Mean time between stops: the mean of the exponential running time. Required; at least 1s.
    pub mtbf: Duration,
    /// Mean time to repair: the mean of the exponential stopped time. Required; longer than 0s.
    pub mttr: Duration,
    /// The service that stops. Default conversation_manager.
    #[serde(default = "default_service")]
    pub service: Service,
    /// The servers it stops on, each independently. Default both; at least one.
    #[serde(default = "both_servers")]
    #[schemars(length(min = 1))]
    pub servers: Vec<ServerName>,
}

fn default_service() -> Service {
    Service::ConversationManager
}

/// Whether `a`–`b` is one of the voice cluster's five links.
pub fn is_link(a: Node, b: Node) -> bool {
    a != b && !matches!((a, b), (Node::PhoneSystem, Node::Network) | (Node::Network, Node::PhoneSystem))
}

fn check(ok: bool, key: impl Into<String>, message: impl Into<String>) -> Result<(), Invalid> {
    if ok { Ok(()) } else { Err(Invalid::new(key, message)) }
}

fn check_fraction(value: f64, key: &str) -> Result<(), Invalid> {
    check((0.0..=1.0).contains(&value), key, format!("must be a fraction between 0 and 1, not {value}"))
}

fn check_positive(d: Duration, key: &str) -> Result<(), Invalid> {
    check(!d.is_zero(), key, "must be longer than 0s")
}

impl VoiceScenario {
    /// The calls one replication expects, at the peak rate throughout (an
    /// upper bound used to refuse runs that could not finish).
    pub fn expected_calls(&self) -> f64 {
        let t = &self.traffic;
        let peak = t.hourly_profile.as_ref().map_or(1.0, |p| p.iter().cloned().fold(0.0, f64::max));
        t.calls_per_hour * peak * (self.duration.micros() as f64 / HOUR.as_us() as f64)
    }

    /// Checks the relations and bounds serde cannot. The first problem found is
    /// returned, named by its key path.
    pub fn validate(&self) -> Result<(), Invalid> {
        let horizon = self.duration.as_us();
        check_positive(self.duration, "duration")?;
        check(
            horizon <= MAX_HORIZON,
            "duration",
            format!("must be at most 100 years (36525d), not {}", self.duration),
        )?;
        super::measure::validate(Kind::VoiceMessaging, self.duration, self.warmup, self.window, &self.expect)?;
        check(
            (1..=MAX_REPLICATIONS).contains(&self.replications),
            "replications",
            format!("must be between 1 and {MAX_REPLICATIONS}"),
        )?;
        if let Some(kind) = &self.kind {
            check(kind == "voice_messaging", "kind", "must be voice_messaging or persistent_chat")?;
        }
        self.validate_cluster()?;
        self.validate_phone_system()?;
        self.validate_traffic()?;
        for (i, entry) in self.failures.iter().enumerate() {
            self.validate_entry(i, entry)?;
        }
        self.validate_random_failures()
    }

    fn validate_cluster(&self) -> Result<(), Invalid> {
        let c = &self.cluster;
        check(c.keepalive.interval.as_us() >= crate::engine::MS, "cluster.keepalive.interval", "must be at least 1ms")?;
        check(
            c.keepalive.timeout > c.keepalive.interval,
            "cluster.keepalive.timeout",
            format!("must be longer than the keepalive interval ({})", c.keepalive.interval),
        )?;
        check(c.keepalive.timeout.as_us() <= DAY, "cluster.keepalive.timeout", "must be at most 1d")?;
        check(
            c.delivery_per_second.is_finite() && c.delivery_per_second > 0.0 && c.delivery_per_second <= 1e6,
            "cluster.delivery_per_second",
            format!("must be a number above 0 and at most 1000000, not {}", c.delivery_per_second),
        )?;
        for (key, d) in [
            ("cluster.takeover", c.takeover),
            ("cluster.starting", c.starting),
            ("cluster.replicating", c.replicating),
            ("cluster.split_brain_recovery", c.split_brain_recovery),
            ("cluster.split_brain_recovery_per_message", c.split_brain_recovery_per_message),
            ("cluster.message_store_unmount", c.message_store_unmount),
        ] {
            check(d.as_us() <= DAY * 30, key, "must be at most 30d")?;
        }
        let allowed = [Status::Primary, Status::Secondary, Status::Deactivated, Status::NotFunctioning];
        for (key, status) in
            [("cluster.initial.publisher", c.initial.publisher), ("cluster.initial.subscriber", c.initial.subscriber)]
        {
            check(
                allowed.contains(&status),
                key,
                format!(
                    "must be primary, secondary, deactivated or not_functioning (a run cannot start in {})",
                    status.as_str()
                ),
            )?;
        }
        // R4: a run starts with a primary, or with one secondary that takes
        // the role after the timeout because its peer cannot hold it.
        let statuses = [c.initial.publisher, c.initial.subscriber];
        let secondaries = statuses.iter().filter(|s| **s == Status::Secondary).count();
        let primaries = statuses.iter().filter(|s| **s == Status::Primary).count();
        check(
            primaries > 0 || secondaries == 1,
            "cluster.initial",
            if secondaries == 2 {
                "has two secondaries and no primary; start one as primary (a lone secondary, beside a \
                 deactivated or not_functioning peer, promotes itself after the keepalive timeout)"
            } else {
                "has no server that holds or can take the primary role; start one as primary or secondary"
            },
        )?;
        Ok(())
    }

    fn validate_phone_system(&self) -> Result<(), Invalid> {
        let p = &self.phone_system;
        check((1..=MAX_PORTS).contains(&p.ports), "phone_system.ports", format!("must be between 1 and {MAX_PORTS}"))?;
        check(p.dead_server_detect.as_us() <= DAY, "phone_system.dead_server_detect", "must be at most 1d")?;
        if let Some(a) = p.allocation {
            check(
                a.publisher <= MAX_PORTS,
                "phone_system.allocation.publisher",
                format!("must be at most {MAX_PORTS}"),
            )?;
            check(
                a.subscriber <= MAX_PORTS,
                "phone_system.allocation.subscriber",
                format!("must be at most {MAX_PORTS}"),
            )?;
            check(
                a.publisher + a.subscriber > 0,
                "phone_system.allocation",
                "must give at least one port to some server",
            )?;
            if let Some(shared) = a.phone_system {
                check(
                    (1..=MAX_PORTS).contains(&shared),
                    "phone_system.allocation.phone_system",
                    format!("must be between 1 and {MAX_PORTS}"),
                )?;
            }
        }
        Ok(())
    }

    fn validate_traffic(&self) -> Result<(), Invalid> {
        let t = &self.traffic;
        check(
            t.calls_per_hour.is_finite() && t.calls_per_hour >= 0.0,
            "traffic.calls_per_hour",
            format!("must be a finite number of 0 or more, not {}", t.calls_per_hour),
        )?;
        if let Some(profile) = &t.hourly_profile {
            check(
                profile.len() == 24,
                "traffic.hourly_profile",
                format!("must have 24 values, one per hour of the day, not {}", profile.len()),
            )?;
            for (h, v) in profile.iter().enumerate() {
                check(
                    v.is_finite() && *v >= 0.0 && *v <= 1000.0,
                    format!("traffic.hourly_profile[{h}]"),
                    format!("must be a multiplier between 0 and 1000, not {v}"),
                )?;
            }
        }
        let expected_calls = self.expected_calls();
        check(
            expected_calls <= MAX_EXPECTED_CALLS,
            "traffic.calls_per_hour",
            format!(
                "asks for about {expected_calls:.3e} calls in one replication, above the limit of {MAX_EXPECTED_CALLS:.0e}; \
                 shorten the duration or lower the rate"
            ),
        )?;
        check_fraction(t.leave_message, "traffic.leave_message")?;
        let h = &t.hold_time;
        check_positive(h.mean, "traffic.hold_time.mean")?;
        check(h.mean.as_us() <= DAY, "traffic.hold_time.mean", "must be at most 1d")?;
        match (h.distribution, h.sd) {
            (HoldDistribution::Lognormal, None) => {
                Err(Invalid::new("traffic.hold_time.sd", "is required for a lognormal hold time"))
            }
            (HoldDistribution::Lognormal, Some(sd)) => {
                check_positive(sd, "traffic.hold_time.sd")?;
                check(sd.as_us() <= DAY, "traffic.hold_time.sd", "must be at most 1d")
            }
            (_, Some(_)) => Err(Invalid::new("traffic.hold_time.sd", "applies only to distribution: lognormal")),
            (_, None) => Ok(()),
        }
    }

    fn validate_entry(&self, i: usize, entry: &TimelineEntry) -> Result<(), Invalid> {
        let key = format!("failures[{i}]");
        let actions = entry.action_keys();
        check(
            actions.len() == 1,
            key.clone(),
            match actions.len() {
                0 => "has no action; give one of crash, restart, partition, isolate, heal, stop_service, \
                      start_service, admin, replicate"
                    .to_string(),
                _ => format!("has {} actions ({}); give one per entry", actions.len(), actions.join(", ")),
            },
        )?;
        check(
            entry.at < self.duration,
            format!("{key}.at"),
            format!("is at {} but the run ends at {}", entry.at, self.duration),
        )?;
        let link = match entry.action() {
            Action::Partition(link) => Some(("partition", link)),
            Action::Heal(HealTarget::Link(link)) => Some(("heal", link)),
            _ => None,
        };
        if let Some((action, link)) = link {
            check(
                is_link(link.from, link.to),
                format!("{key}.{action}"),
                format!(
                    "{} is not a link; links join publisher, subscriber, phone_system and network, \
                     except phone_system–network",
                    link.describe()
                ),
            )?;
        }
        self.validate_repetition(&key, entry)?;
        if let Some(d) = entry.for_ {
            check_positive(d, format!("{key}.for").as_str())?;
            let heals = match entry.action() {
                Action::Crash(_) | Action::Partition(..) | Action::Isolate(_) | Action::StopService(_) => true,
                Action::Admin(a) => matches!(a.action, AdminAction::StopTakingCalls | AdminAction::Deactivate),
                _ => false,
            };
            check(
                heals,
                format!("{key}.for"),
                format!(
                    "does not apply to {}: only crash, partition, isolate, stop_service and the admin actions \
                     stop_taking_calls and deactivate undo themselves",
                    actions[0]
                ),
            )?;
        }
        Ok(())
    }

    fn validate_repetition(&self, key: &str, entry: &TimelineEntry) -> Result<(), Invalid> {
        let Some(every) = entry.every else {
            return check(entry.until.is_none(), format!("{key}.until"), "needs `every` (it ends a repetition)");
        };
        check_positive(every, &format!("{key}.every"))?;
        if let Some(d) = entry.for_ {
            check(
                d < every,
                format!("{key}.for"),
                format!("must be shorter than `every` ({every}) so that repetitions do not overlap"),
            )?;
        }
        let until = entry.until.unwrap_or(self.duration);
        check(
            until > entry.at && until <= self.duration,
            format!("{key}.until"),
            format!("must be after `at` ({}) and no later than the duration ({})", entry.at, self.duration),
        )?;
        let count = (until.as_us() - entry.at.as_us()).div_ceil(every.as_us());
        check(
            count <= MAX_REPETITIONS,
            format!("{key}.every"),
            format!("repeats the entry {count} times, above the limit of {MAX_REPETITIONS}"),
        )
    }

    fn validate_random_failures(&self) -> Result<(), Invalid> {
        let rf = &self.random_failures;
        let horizon = self.duration.micros() as f64;
        let mut processes: Vec<(&str, Duration, Duration)> = vec![];
        if let Some(p) = &rf.crash {
            processes.push(("random_failures.crash", p.mtbf, p.mttr));
            check(!p.servers.is_empty(), "random_failures.crash.servers", "must name at least one server")?;
        }
        if let Some(p) = &rf.partition {
            processes.push(("random_failures.partition", p.mtbf, p.mttr));
            check(
                is_link(p.link.from, p.link.to),
                "random_failures.partition.link",
                format!("{} is not a link, e.g. [publisher, subscriber]", p.link.describe()),
            )?;
        }
        if let Some(p) = &rf.service {
            processes.push(("random_failures.service", p.mtbf, p.mttr));
            check(!p.servers.is_empty(), "random_failures.service.servers", "must name at least one server")?;
        }
        for (key, mtbf, mttr) in processes {
            check(mtbf.as_us() >= crate::engine::SECOND, format!("{key}.mtbf").as_str(), "must be at least 1s")?;
            check_positive(mttr, &format!("{key}.mttr"))?;
            let expected = horizon / (mtbf.micros() as f64 + mttr.micros() as f64);
            check(
                expected <= MAX_EXPECTED_FAULTS,
                format!("{key}.mtbf"),
                format!(
                    "gives about {expected:.3e} faults in one replication, above the limit of {MAX_EXPECTED_FAULTS:.0e}"
                ),
            )?;
        }
        Ok(())
    }
}
