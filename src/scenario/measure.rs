//! What a scenario measures and what it expects: the measured
//! window and the `expect:` entries, shared by both kinds of scenario.

use super::{Invalid, Kind, duration::Duration};
use crate::engine::Time;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The part of the run every metric measures: calls (or posts) that arrive in
/// `[from, to)`, time metrics and availabilities over its length. Instead of
/// `warmup`, not with it.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// The start of the measured window (included).
    pub from: Duration,
    /// The end of the measured window (excluded); at most `duration`.
    pub to: Duration,
}

/// One `expect:` entry: a metric and the bound it must keep, judged after the
/// run over the replications' 95% interval (`holds`, `fails` or `unsure`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// A metric the scenario's kind reports (see docs/metrics.md).
    pub metric: String,
    /// The least value the metric may take (give `min` or `max`, not both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// The greatest value the metric may take (give `min` or `max`, not both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

/// Which side of its bound an expectation keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// The metric must be at least the value.
    Min,
    /// The metric must be at most the value.
    Max,
}

impl Bound {
    pub fn as_str(self) -> &'static str {
        match self {
            Bound::Min => "min",
            Bound::Max => "max",
        }
    }
}

impl Expectation {
    /// The bound and its value (only on a validated expectation).
    pub fn bound(&self) -> (Bound, f64) {
        match (self.min, self.max) {
            (Some(v), None) => (Bound::Min, v),
            (None, Some(v)) => (Bound::Max, v),
            _ => unreachable!("validated expectations have exactly one bound"),
        }
    }
}

/// The measured window `[from, to)` of a run of length `duration`.
pub fn window_of(duration: Duration, warmup: Option<Duration>, window: Option<Window>) -> (Time, Time) {
    match window {
        Some(w) => (w.from.as_us(), w.to.as_us()),
        None => (warmup.unwrap_or_default().as_us(), duration.as_us()),
    }
}

/// Checks `warmup`, `window` and `expect` against the run and its kind.
pub fn validate(
    kind: Kind,
    duration: Duration,
    warmup: Option<Duration>,
    window: Option<Window>,
    expect: &[Expectation],
) -> Result<(), Invalid> {
    let check = |ok: bool, key: String, message: String| if ok { Ok(()) } else { Err(Invalid::new(key, message)) };
    if let Some(warmup) = warmup {
        check(warmup < duration, "warmup".into(), "must be shorter than the duration".into())?;
    }
    if let Some(w) = window {
        check(
            warmup.is_none(),
            "window".into(),
            "and `warmup` are both given; a window already says where measuring starts".into(),
        )?;
        check(
            w.from < w.to,
            "window.to".into(),
            format!("must be after `window.from` ({}); the window is empty", w.from),
        )?;
        check(w.to <= duration, "window.to".into(), format!("is at {} but the run ends at {}", w.to, duration))?;
    }
    let names = kind.metric_names();
    for (i, e) in expect.iter().enumerate() {
        let key = format!("expect[{i}]");
        check(
            names.contains(&e.metric.as_str()),
            format!("{key}.metric"),
            format!("`{}` is not a metric of a {} run; metrics are {}", e.metric, kind.as_str(), names.join(", ")),
        )?;
        match (e.min, e.max) {
            (Some(_), Some(_)) => return Err(Invalid::new(key, "gives both `min` and `max`; give one per entry")),
            (None, None) => return Err(Invalid::new(key, "gives neither `min` nor `max`; give one bound")),
            (Some(v), None) | (None, Some(v)) => {
                let which = if e.min.is_some() { "min" } else { "max" };
                check(v.is_finite(), format!("{key}.{which}"), format!("must be a finite number, not {v}"))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Duration {
        Duration::parse(text).unwrap()
    }

    #[test]
    fn the_window_replaces_the_warm_up() {
        assert_eq!(window_of(d("4h"), None, None), (Time::ZERO, d("4h").as_us()));
        assert_eq!(window_of(d("4h"), Some(d("1h")), None), (d("1h").as_us(), d("4h").as_us()));
        let w = Window { from: d("1h"), to: d("2h") };
        assert_eq!(window_of(d("4h"), None, Some(w)), (d("1h").as_us(), d("2h").as_us()));
    }

    #[test]
    fn bad_windows_and_expectations_name_their_key() {
        let voice = Kind::VoiceMessaging;
        let key = |r: Result<(), Invalid>| r.unwrap_err().key;
        let w = |from, to| Some(Window { from: d(from), to: d(to) });
        assert_eq!(key(validate(voice, d("4h"), Some(d("1h")), w("1h", "2h"), &[])), "window");
        assert_eq!(key(validate(voice, d("4h"), None, w("2h", "2h"), &[])), "window.to");
        assert_eq!(key(validate(voice, d("4h"), None, w("1h", "5h"), &[])), "window.to");
        let e = |metric: &str, min, max| Expectation { metric: metric.into(), min, max };
        assert_eq!(key(validate(voice, d("4h"), None, None, &[e("blocking", None, Some(0.1))])), "expect[0].metric");
        assert_eq!(key(validate(voice, d("4h"), None, None, &[e("posts_lost", None, Some(1.0))])), "expect[0].metric");
        let both = [e("blocking_probability", Some(0.0), Some(0.1))];
        assert_eq!(key(validate(voice, d("4h"), None, None, &both)), "expect[0]");
        let neither = [e("blocking_probability", None, None)];
        assert_eq!(key(validate(voice, d("4h"), None, None, &neither)), "expect[0]");
        let nan = [e("availability", Some(f64::NAN), None)];
        assert_eq!(key(validate(voice, d("4h"), None, None, &nan)), "expect[0].min");
        assert!(validate(Kind::PersistentChat, d("4h"), None, None, &[e("posts_lost", None, Some(1.0))]).is_ok());
    }
}
