//! The Persistent Chat scenario format (C1–C5): a chat database (mgc)
//! log-shipped to a backup data centre and failed over by a manual runbook.

use super::duration::Duration;
use super::measure::{Expectation, Window};
use super::voice::{
    MAX_EXPECTED_CALLS, MAX_HORIZON, MAX_REPLICATIONS, NAME_PATTERN, default_replications, default_seed,
};
use super::{Invalid, Kind};
use crate::engine::{DAY, HOUR, SECOND};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// A Persistent Chat scenario: a chat database log-shipped to a backup data
/// centre, failed over by hand when its data centre is lost.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a mapping of scenario keys such as `duration: 6h`")]
pub struct ChatScenario {
    /// The scenario's name, which names its results folder (`results/NAME/`):
    /// 1 to 100 letters, digits, `-`, `_` or `.`, not starting with `.`.
    /// Default: the file name without its extension.
    #[serde(default)]
    #[schemars(regex(pattern = NAME_PATTERN))]
    pub name: Option<String>,
    /// What the scenario shows, for people; the simulation ignores it.
    #[serde(default)]
    pub description: Option<String>,
    /// `persistent_chat`: required for this kind of scenario.
    #[schemars(schema_with = "chat_kind")]
    pub kind: String,
    /// The simulated horizon, from t = 0. Required; longer than 0s, at most 36525d (100 years).
    pub duration: Duration,
    /// Metrics ignore what happens before this time: posts count if they
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
    /// (seed, i), so a run is reproducible. Default 1; `--seed` overrides it.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Independent replications, summarised as mean, 95% confidence interval,
    /// min and max. Default 1; 1 to 10000000; `--replications` overrides it.
    #[serde(default = "default_replications")]
    #[schemars(range(min = 1, max = MAX_REPLICATIONS))]
    pub replications: u32,
    /// The chat traffic (rule C1). Required.
    pub chat: Chat,
    /// Log shipping from the primary database to the backup (rule C2).
    #[serde(default)]
    pub log_shipping: LogShipping,
    /// Whether the share holding the log backups survives the data-centre
    /// loss, so the runbook can copy the backups not yet copied; if not, they
    /// are lost too (rule C3). Default true.
    #[serde(default = "yes")]
    pub backup_share_survives: bool,
    /// The compliance adapter (rule C5).
    #[serde(default)]
    pub compliance: Compliance,
    /// The manual failover, step by step (rule C4); each step is a duration or
    /// a range `{min, max}`, drawn uniformly once per replication (once per
    /// backup for apply_per_backup).
    #[serde(default)]
    pub runbook: Runbook,
    /// The timeline: at most one data-centre loss. Default: none.
    #[serde(default)]
    #[schemars(length(max = 1))]
    pub failures: Vec<ChatFailure>,
}

/// `kind` of a chat scenario: the one value that selects it.
fn chat_kind(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "const": "persistent_chat"})
}

fn yes() -> bool {
    true
}

/// C1: chat posts arrive as a Poisson process.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a mapping such as {posts_per_hour: 2000}")]
pub struct Chat {
    /// Mean posts per hour, arriving as a Poisson process. Required; finite, 0 or more.
    #[schemars(range(min = 0))]
    pub posts_per_hour: f64,
}

/// C2: transaction-log backup, copy and restore jobs, each at multiples of its interval.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, default, expecting = "a mapping of log-shipping intervals, e.g. {backup_interval: 15m}")]
pub struct LogShipping {
    /// A transaction-log backup of the primary database is taken at every
    /// multiple of this interval from t = 0; posts after the last backup are
    /// lost with the data centre. Default 15m; at least 1s.
    pub backup_interval: Duration,
    /// The backups taken are copied to the backup side at every multiple of
    /// this interval. Default 15m; at least 1s.
    pub copy_interval: Duration,
    /// The backups copied are restored into the backup database at every
    /// multiple of this interval. Default 15m; at least 1s.
    pub restore_interval: Duration,
}

impl Default for LogShipping {
    fn default() -> Self {
        let fifteen = Duration::from_mins(15);
        LogShipping { backup_interval: fifteen, copy_interval: fifteen, restore_interval: fifteen }
    }
}

/// C5: the compliance adapter processes records at multiples of its interval.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, default, expecting = "a mapping such as {adapter_interval: 5m}")]
pub struct Compliance {
    /// The adapter processes the compliance records (one per post) at every
    /// multiple of this interval; records not yet processed when the data
    /// centre is lost are lost. Default 5m; at least 1s.
    pub adapter_interval: Duration,
}

impl Default for Compliance {
    fn default() -> Self {
        Compliance { adapter_interval: Duration::from_mins(5) }
    }
}

/// A runbook step's duration: fixed (`2m`) or uniform in a range (`{min: 15m, max: 30m}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub min: Duration,
    pub max: Duration,
}

impl Step {
    pub const fn fixed(d: Duration) -> Step {
        Step { min: d, max: d }
    }
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StepVisitor;
        impl<'de> Visitor<'de> for StepVisitor {
            type Value = Step;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration such as 2m, or a range {min: 15m, max: 30m}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Step, E> {
                Duration::parse(v).map(Step::fixed).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Step, E> {
                Err(E::custom(format!("duration `{v}` needs a unit, e.g. {v}s (units: d, h, m, s, ms)")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Step, E> {
                Err(E::custom(format!("duration `{v}` needs a unit, e.g. 30s")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Step, E> {
                Err(E::custom(format!("duration `{v}` needs a unit, e.g. 30s")))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Step, A::Error> {
                let (mut min, mut max) = (None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "min" => min = Some(map.next_value::<Duration>()?),
                        "max" => max = Some(map.next_value::<Duration>()?),
                        other => return Err(de::Error::unknown_field(other, &["min", "max"])),
                    }
                }
                match (min, max) {
                    (Some(min), Some(max)) => Ok(Step { min, max }),
                    (None, _) => Err(de::Error::missing_field("min")),
                    (_, None) => Err(de::Error::missing_field("max")),
                }
            }
        }
        deserializer.deserialize_any(StepVisitor)
    }
}

impl JsonSchema for Step {
    fn schema_name() -> Cow<'static, str> {
        "Step".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let duration = generator.subschema_for::<Duration>();
        let described = |text: &str| {
            let mut schema = duration.clone();
            schema.insert("description".into(), text.into());
            schema
        };
        json_schema!({
            "description": "A runbook step's duration: fixed (2m) or drawn uniformly from a range \
                ({min: 15m, max: 30m}).",
            "oneOf": [
                described("A fixed duration."),
                {
                    "description": "A range, drawn uniformly.",
                    "type": "object",
                    "properties": {
                        "min": described("The shortest the step takes. At most `max`."),
                        "max": described("The longest the step takes. At most 365d."),
                    },
                    "required": ["min", "max"],
                    "additionalProperties": false,
                },
            ],
        })
    }
}

impl Serialize for Step {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        if self.min == self.max {
            self.min.serialize(s)
        } else {
            let mut map = s.serialize_map(Some(2))?;
            map.serialize_entry("min", &self.min)?;
            map.serialize_entry("max", &self.max)?;
            map.end()
        }
    }
}

/// C4: the manual failover runbook, step by step, in the seed's order.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(
    deny_unknown_fields,
    default,
    expecting = "a mapping of runbook steps, e.g. {decide: 15m, install_mirror: {min: 15m, max: 30m}}"
)]
pub struct Runbook {
    /// Until an administrator starts the failover. Default 15m.
    pub decide: Step,
    /// Seed step 1: `exec sp_delete_log_shipping_secondary_database mgc`. Default 2m.
    pub remove_log_shipping: Step,
    /// Seed step 2: copy the backup files not yet copied (skipped when there
    /// are none). Default 5m.
    pub copy_backups: Step,
    /// Seed step 3: apply each unapplied log backup, in order; this long per
    /// backup (a range is drawn once per backup). Default 1m.
    pub apply_per_backup: Step,
    /// Seed step 4: `restore database mgc with recovery`. Default 2m.
    pub bring_online: Step,
    /// Seed step 5: `Set-CsPersistentChatState -PoolState FailedOver`; the
    /// backup database acts as primary, unmirrored. Default 1m.
    pub set_pool_state: Step,
    /// Seed step 7: `Set-CsPersistentChatActiveServer`: the failover is
    /// complete and the service is back. Default 2m.
    pub set_active_servers: Step,
    /// Seed step 6: `Install-CsMirrorDatabase`; the database is mirrored
    /// again. Default 15m to 30m.
    pub install_mirror: Step,
    /// Whether the mirror is installed before the active servers are set (the
    /// seed's order) or after them (service back sooner, unmirrored meanwhile).
    /// Default before_active_servers.
    pub mirror: MirrorOrder,
}

/// The order of the runbook's last two steps (C4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MirrorOrder {
    /// Step 6 `Install-CsMirrorDatabase`, then step 7: the seed's order.
    #[default]
    BeforeActiveServers,
    /// Step 7 first: the service is back before the mirror is installed.
    AfterActiveServers,
}

impl Default for Runbook {
    fn default() -> Self {
        let m = |n| Step::fixed(Duration::from_mins(n));
        Runbook {
            decide: m(15),
            remove_log_shipping: m(2),
            copy_backups: m(5),
            apply_per_backup: m(1),
            bring_online: m(2),
            set_pool_state: m(1),
            set_active_servers: m(2),
            install_mirror: Step { min: Duration::from_mins(15), max: Duration::from_mins(30) },
            mirror: MirrorOrder::BeforeActiveServers,
        }
    }
}

impl Runbook {
    /// The steps with their keys, in the seed's order (decide, then steps 1–7).
    pub fn steps(&self) -> [(&'static str, Step); 8] {
        [
            ("decide", self.decide),
            ("remove_log_shipping", self.remove_log_shipping),
            ("copy_backups", self.copy_backups),
            ("apply_per_backup", self.apply_per_backup),
            ("bring_online", self.bring_online),
            ("set_pool_state", self.set_pool_state),
            ("install_mirror", self.install_mirror),
            ("set_active_servers", self.set_active_servers),
        ]
    }
}

/// A data centre of the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DataCentre {
    /// The data centre of the primary database, its mirror and the front ends.
    Primary,
}

/// C3: a timeline entry.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a timeline entry such as {at: 2h, datacenter_down: primary}")]
pub struct ChatFailure {
    /// When the data centre is lost, from t = 0. Required; before `duration`.
    pub at: Duration,
    /// The data centre lost: its database, mirror and front ends stop (rule C3). Required.
    pub datacenter_down: DataCentre,
}

fn check(ok: bool, key: impl Into<String>, message: impl Into<String>) -> Result<(), Invalid> {
    if ok { Ok(()) } else { Err(Invalid::new(key, message)) }
}

impl ChatScenario {
    /// Posts one replication expects.
    pub fn expected_posts(&self) -> f64 {
        self.chat.posts_per_hour * self.duration.micros() as f64 / HOUR.as_us() as f64
    }

    pub fn validate(&self) -> Result<(), Invalid> {
        check(!self.duration.is_zero(), "duration", "must be longer than 0s")?;
        check(self.duration.as_us() <= MAX_HORIZON, "duration", "must be at most 100 years (36525d)")?;
        super::measure::validate(Kind::PersistentChat, self.duration, self.warmup, self.window, &self.expect)?;
        check(
            (1..=MAX_REPLICATIONS).contains(&self.replications),
            "replications",
            format!("must be between 1 and {MAX_REPLICATIONS}"),
        )?;
        let rate = self.chat.posts_per_hour;
        check(
            rate.is_finite() && rate >= 0.0,
            "chat.posts_per_hour",
            format!("must be a finite number of 0 or more, not {rate}"),
        )?;
        check(
            self.expected_posts() <= MAX_EXPECTED_CALLS,
            "chat.posts_per_hour",
            format!(
                "asks for about {:.3e} posts in one replication, above the limit of {MAX_EXPECTED_CALLS:.0e}",
                self.expected_posts()
            ),
        )?;
        let horizon = self.duration.as_us();
        for (key, d) in [
            ("log_shipping.backup_interval", self.log_shipping.backup_interval),
            ("log_shipping.copy_interval", self.log_shipping.copy_interval),
            ("log_shipping.restore_interval", self.log_shipping.restore_interval),
            ("compliance.adapter_interval", self.compliance.adapter_interval),
        ] {
            check(d.as_us() >= SECOND, key, "must be at least 1s")?;
            check(
                horizon / d.as_us() <= 10_000_000,
                key,
                format!("runs its job {} times, above the limit of 1e7", horizon / d.as_us()),
            )?;
        }
        for (name, step) in self.runbook.steps() {
            let key = format!("runbook.{name}");
            check(step.min <= step.max, key.as_str(), format!("has min {} above max {}", step.min, step.max))?;
            check(step.max.as_us() <= DAY * 365, key.as_str(), "must be at most 365d")?;
        }
        check(
            self.failures.len() <= 1,
            format!("failures[{}]", self.failures.len().saturating_sub(1)),
            "is a second data-centre loss; the runbook covers one failover",
        )?;
        for (i, f) in self.failures.iter().enumerate() {
            check(
                f.at < self.duration,
                format!("failures[{i}].at"),
                format!("is at {} but the run ends at {}", f.at, self.duration),
            )?;
        }
        Ok(())
    }
}
