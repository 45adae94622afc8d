//! The voice-messaging scenario format (SPEC §3) and its validation.
//!
//! Every struct denies unknown keys; every default below is the one SPEC.md
//! documents. `validate` checks what serde cannot: relations between fields and
//! the bounds that keep a run finite.

use super::Invalid;
use super::duration::Duration;
pub use super::link::{HealTarget, LinkSpec};
use crate::engine::{DAY, HOUR, Time};
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

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VoiceScenario {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    pub duration: Duration,
    #[serde(default)]
    pub warmup: Duration,
    #[serde(default = "default_seed")]
    pub seed: u64,
    #[serde(default = "default_replications")]
    pub replications: u32,
    #[serde(default)]
    pub cluster: Cluster,
    #[serde(default)]
    pub phone_system: PhoneSystem,
    #[serde(default)]
    pub traffic: Traffic,
    #[serde(default)]
    pub failures: Vec<TimelineEntry>,
    #[serde(default)]
    pub random_failures: RandomFailures,
}

/// The master seed of a scenario that gives none.
pub(super) fn default_seed() -> u64 {
    1
}
/// The replications of a scenario that gives none.
pub(super) fn default_replications() -> u32 {
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
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

/// The nodes that links join (SPEC §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Node {
    Publisher,
    Subscriber,
    PhoneSystem,
    Network,
}

impl Node {
    pub fn as_str(self) -> &'static str {
        match self {
            Node::Publisher => "publisher",
            Node::Subscriber => "subscriber",
            Node::PhoneSystem => "phone_system",
            Node::Network => "network",
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    ConversationManager,
    Database,
    Replication,
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

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Cluster {
    pub keepalive: Keepalive,
    pub takeover: Duration,
    pub starting: Duration,
    pub replicating: Duration,
    pub split_brain_recovery: Duration,
    pub split_brain_recovery_per_message: Duration,
    pub message_store_unmount: Duration,
    pub delivery_per_second: f64,
    pub publisher_reclaims_primary: bool,
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

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Keepalive {
    pub interval: Duration,
    pub timeout: Duration,
}

impl Default for Keepalive {
    fn default() -> Self {
        Keepalive { interval: Duration::from_secs(15), timeout: Duration::from_secs(45) }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Initial {
    pub publisher: Status,
    pub subscriber: Status,
}

impl Default for Initial {
    fn default() -> Self {
        Initial { publisher: Status::Primary, subscriber: Status::Secondary }
    }
}

/// Seed Table 3-2's integration types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Integration {
    Sccp,
    SipTrunk,
    PimgTimg,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Routing {
    SubscriberFirst,
    PublisherFirst,
    RoundRobin,
    Random,
    LeastBusy,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PhoneSystem {
    pub integration: Integration,
    pub ports: u32,
    pub allocation: Option<Allocation>,
    pub routing: Option<Routing>,
    pub overflow: bool,
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
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Allocation {
    pub publisher: u32,
    pub subscriber: u32,
    #[serde(default)]
    pub phone_system: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Traffic {
    pub calls_per_hour: f64,
    pub hourly_profile: Option<Vec<f64>>,
    pub hold_time: HoldTime,
    pub leave_message: f64,
}

impl Default for Traffic {
    fn default() -> Self {
        Traffic { calls_per_hour: 0.0, hourly_profile: None, hold_time: HoldTime::default(), leave_message: 0.6 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldDistribution {
    Exponential,
    Lognormal,
    Fixed,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HoldTime {
    pub distribution: HoldDistribution,
    pub mean: Duration,
    pub sd: Option<Duration>,
}

impl Default for HoldTime {
    fn default() -> Self {
        HoldTime { distribution: HoldDistribution::Exponential, mean: Duration::from_secs(90), sd: None }
    }
}

/// One entry of the failure timeline: a time, exactly one action and, for
/// actions that can heal by themselves, an optional `for`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TimelineEntry {
    pub at: Duration,
    #[serde(rename = "for", default, skip_serializing_if = "Option::is_none")]
    pub for_: Option<Duration>,
    /// Repeat the entry every so often (a flapping link, a nightly job)...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<Duration>,
    /// ...until this time (default: the end of the run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crash: Option<ServerName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<ServerName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<LinkSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isolate: Option<ServerName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heal: Option<HealTarget>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_service: Option<ServiceRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_service: Option<ServiceRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin: Option<AdminRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicate: Option<ServerName>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceRef {
    pub server: ServerName,
    pub service: Service,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminAction {
    MakePrimary,
    StopTakingCalls,
    ResumeTakingCalls,
    Deactivate,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AdminRef {
    pub server: ServerName,
    pub action: AdminAction,
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

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RandomFailures {
    #[serde(default)]
    pub crash: Option<CrashProcess>,
    #[serde(default)]
    pub partition: Option<PartitionProcess>,
    #[serde(default)]
    pub service: Option<ServiceProcess>,
}

fn both_servers() -> Vec<ServerName> {
    vec![ServerName::Publisher, ServerName::Subscriber]
}

/// Server crashes: each listed server fails after an exponential up time of mean
/// `mtbf` and restarts after an exponential repair of mean `mttr`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CrashProcess {
    pub mtbf: Duration,
    pub mttr: Duration,
    #[serde(default = "both_servers")]
    pub servers: Vec<ServerName>,
}

/// Link cuts, by default of the publisher–subscriber link.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PartitionProcess {
    pub mtbf: Duration,
    pub mttr: Duration,
    #[serde(default = "server_link")]
    pub link: LinkSpec,
}

fn server_link() -> LinkSpec {
    LinkSpec { from: Node::Publisher, to: Node::Subscriber, one_way: false }
}

/// Critical-service stops on each listed server.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServiceProcess {
    pub mtbf: Duration,
    pub mttr: Duration,
    #[serde(default = "default_service")]
    pub service: Service,
    #[serde(default = "both_servers")]
    pub servers: Vec<ServerName>,
}

fn default_service() -> Service {
    Service::ConversationManager
}

/// Whether `a`–`b` is one of the five links of SPEC §1.
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
        check(self.warmup < self.duration, "warmup", "must be shorter than the duration")?;
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
