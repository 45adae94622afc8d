//! Reports: the output files of SPEC §5 and the human summary, built from
//! result structs. Every file of a run is written into a staging folder that
//! replaces the results folder only once complete (see [`staging`]).

pub mod charts;
pub mod experiments;
pub mod merge;
pub mod progress;
pub mod rows;
pub mod staging;
pub mod traces;

use crate::engine::{SECOND, Time};
use crate::experiment::{RunOutput, Stat};
use crate::model::Kind;
use anyhow::{Context, Result};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::path::Path;

/// A problem with what the user gave (a folder, shards), not with the
/// machine: the command line reports it with exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

/// A time in seconds, exactly: `3600`, `12.5`, `0.000001`.
pub fn fmt_secs(t: Time) -> String {
    let whole = t / SECOND;
    let frac = (t % SECOND).as_us();
    if frac == 0 {
        whole.to_string()
    } else {
        let digits = format!("{frac:06}");
        format!("{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// A metric value for CSV: integers without a fraction, others in Rust's
/// shortest round-trip form (deterministic across machines).
pub fn fmt_value(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
}

/// A value for people: about six significant digits.
pub fn fmt_human(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let magnitude = if v == 0.0 { 0 } else { v.abs().log10().floor() as i32 };
    let decimals = (5 - magnitude).clamp(0, 9) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
}

struct MetricsJson<'a>(&'a [(&'static str, Stat)]);

impl Serialize for MetricsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Entry {
            mean: f64,
            ci95: f64,
            min: f64,
            max: f64,
        }
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, stat) in self.0 {
            map.serialize_entry(name, &Entry { mean: stat.mean, ci95: stat.ci95, min: stat.min, max: stat.max })?;
        }
        map.end()
    }
}

/// The header of `summary.json`.
pub struct RunInfo<'a> {
    pub scenario: &'a str,
    pub kind: Kind,
    pub seed: u64,
    pub duration: Time,
    pub warmup: Time,
}

#[derive(serde::Serialize)]
struct SummaryJson<'a> {
    scenario: &'a str,
    kind: &'static str,
    seed: u64,
    replications: u64,
    duration_s: f64,
    warmup_s: f64,
    metrics: MetricsJson<'a>,
}

pub fn write_summary_json(path: &Path, info: &RunInfo, output: &RunOutput) -> Result<()> {
    let summary = output.summary();
    let json = SummaryJson {
        scenario: info.scenario,
        kind: info.kind.as_str(),
        seed: info.seed,
        replications: output.replications.len() as u64,
        duration_s: crate::engine::to_secs(info.duration),
        warmup_s: crate::engine::to_secs(info.warmup),
        metrics: MetricsJson(&summary),
    };
    let mut text = serde_json::to_string_pretty(&json)?;
    text.push('\n');
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

pub fn csv_writer(path: &Path) -> Result<csv::Writer<std::fs::File>> {
    csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))
}

pub fn write_replications_csv(path: &Path, output: &RunOutput) -> Result<()> {
    let mut w = csv_writer(path)?;
    let mut header = vec!["replication", "seed"];
    header.extend(output.metric_names.iter());
    w.write_record(&header)?;
    for r in &output.replications {
        let mut row = vec![r.index.to_string(), r.seed.to_string()];
        row.extend(r.values.iter().map(|v| fmt_value(*v)));
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// The human summary: one line per metric.
pub fn summary_table(output: &RunOutput) -> String {
    let n = output.replications.len();
    let summary = output.summary();
    let width = summary.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    let mut out = String::new();
    if n > 1 {
        out.push_str(&format!("{:width$}  {:>22}  {:>12}  {:>12}\n", "metric", "mean ± ci95", "min", "max"));
    } else {
        out.push_str(&format!("{:width$}  {:>12}\n", "metric", "value"));
    }
    for (name, s) in &summary {
        if n > 1 {
            let mean = format!("{} ± {}", fmt_human(s.mean), fmt_human(s.ci95));
            out.push_str(&format!("{name:width$}  {mean:>22}  {:>12}  {:>12}\n", fmt_human(s.min), fmt_human(s.max)));
        } else {
            out.push_str(&format!("{name:width$}  {:>12}\n", fmt_human(s.mean)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_exact() {
        assert_eq!(fmt_secs(Time::from_us(3_600_000_000)), "3600");
        assert_eq!(fmt_secs(Time::from_us(12_500_000)), "12.5");
        assert_eq!(fmt_secs(Time::from_us(1)), "0.000001");
    }

    #[test]
    fn values_are_compact() {
        assert_eq!(fmt_value(42.0), "42");
        assert_eq!(fmt_value(0.25), "0.25");
        assert_eq!(fmt_human(0.998765432), "0.998765");
        assert_eq!(fmt_human(1234.5678), "1234.57");
        assert_eq!(fmt_human(7.0), "7");
    }
}
