//! The Persistent Chat scenario format (SPEC §2): a chat database (mgc)
//! log-shipped to a backup data centre and failed over by a manual runbook.

use super::Invalid;
use super::duration::Duration;
use super::voice::{MAX_EXPECTED_CALLS, MAX_HORIZON, MAX_REPLICATIONS, default_replications, default_seed};
use crate::engine::{DAY, HOUR, SECOND};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChatScenario {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub kind: String,
    pub duration: Duration,
    /// Metrics ignore posts, losses and time before this (SPEC §3: both kinds).
    #[serde(default)]
    pub warmup: Duration,
    #[serde(default = "default_seed")]
    pub seed: u64,
    #[serde(default = "default_replications")]
    pub replications: u32,
    pub chat: Chat,
    #[serde(default)]
    pub log_shipping: LogShipping,
    #[serde(default = "yes")]
    pub backup_share_survives: bool,
    #[serde(default)]
    pub compliance: Compliance,
    #[serde(default)]
    pub runbook: Runbook,
    #[serde(default)]
    pub failures: Vec<ChatFailure>,
}

fn yes() -> bool {
    true
}

/// C1: chat posts arrive as a Poisson process.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Chat {
    pub posts_per_hour: f64,
}

/// C2: transaction-log backup, copy and restore jobs, each at multiples of its interval.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LogShipping {
    pub backup_interval: Duration,
    pub copy_interval: Duration,
    pub restore_interval: Duration,
}

impl Default for LogShipping {
    fn default() -> Self {
        let fifteen = Duration::from_mins(15);
        LogShipping { backup_interval: fifteen, copy_interval: fifteen, restore_interval: fifteen }
    }
}

/// C5: the compliance adapter processes records at multiples of its interval.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Compliance {
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

/// C4: the seed's runbook, step by step (durations are the SPEC example's).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Runbook {
    /// Until an administrator starts the failover.
    pub decide: Step,
    /// Seed step 1: `exec sp_delete_log_shipping_secondary_database mgc`.
    pub remove_log_shipping: Step,
    /// Seed step 2: copy the backup files not yet copied (skipped when there are none).
    pub copy_backups: Step,
    /// Seed step 3: apply each unapplied log backup, in order.
    pub apply_per_backup: Step,
    /// Seed step 4: `restore database mgc with recovery`.
    pub bring_online: Step,
    /// Seed step 5: `Set-CsPersistentChatState -PoolState FailedOver`.
    pub set_pool_state: Step,
    /// Seed step 7: `Set-CsPersistentChatActiveServer`: the failover is complete.
    pub set_active_servers: Step,
    /// Seed step 6: `Install-CsMirrorDatabase`.
    pub install_mirror: Step,
    /// Whether the mirror is installed before the active servers are set (the
    /// seed's order) or after them (service back sooner, unmirrored meanwhile).
    pub mirror: MirrorOrder,
}

/// The order of the runbook's last two steps (C4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataCentre {
    /// The data centre of the primary database, its mirror and the front ends.
    Primary,
}

/// C3: a timeline entry.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChatFailure {
    pub at: Duration,
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
        check(self.warmup < self.duration, "warmup", "must be shorter than the duration")?;
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
