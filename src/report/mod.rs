//! Reports: the output files of a run and the human summary, built from
//! result structs. Every file of a run is written into a staging folder that
//! replaces the results folder only once complete (see [`staging`]).

pub mod charts;
pub mod decisions;
pub mod experiments;
pub mod faults;
pub mod folder;
pub mod html;
pub mod merge;
pub mod progress;
pub mod rows;
pub mod staging;
pub mod traces;

/// The charts' fixed look, for readers outside the crate (the tests check
/// the pictures against it): the font family every text names, each voice
/// status's colour in legend order, and each fault's colour.
pub mod palette {
    pub use super::charts::style::{FAMILY, STATUSES};
    pub use super::faults::FaultKind;
    use plotters::style::RGBColor;

    /// The colour a chart marks a fault of `kind` with.
    pub fn fault_color(kind: FaultKind) -> RGBColor {
        super::charts::style::fault_look(kind).0
    }
}

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

/// The decimal place that two significant digits of a half-width `ci95`
/// reach (2 for 0.017, 0 for 17, −2 for 2345), or `None` when there is no
/// interval to round to (zero, or not finite).
fn warranted_decimals(ci95: f64) -> Option<i32> {
    if !(ci95.is_finite() && ci95 > 0.0) {
        return None;
    }
    // `{:.1e}` rounds to two significant digits first, so 99.7 → 1.0e2.
    let scientific = format!("{ci95:.1e}");
    let exponent: i32 = scientific.split_once('e')?.1.parse().ok()?;
    Some((1 - exponent).min(17))
}

/// `v` rounded to `decimals` places (negative: to tens, hundreds, ...).
fn fmt_at(v: f64, decimals: i32) -> String {
    let text = if decimals >= 0 {
        format!("{v:.prec$}", prec = decimals as usize)
    } else {
        let unit = 10f64.powi(-decimals);
        format!("{:.0}", (v / unit).round() * unit)
    };
    // A value that rounds to zero prints without a sign.
    match text.strip_prefix('-') {
        Some(unsigned) if unsigned.chars().all(|c| c == '0' || c == '.') => unsigned.to_string(),
        _ => text,
    }
}

/// The decimals a figure of `stat`'s row is printed to: those its interval
/// warrants; `None` (people's form, [`fmt_human`]) when the replications
/// all agree or there is no interval.
fn row_decimals(stat: &Stat) -> Option<i32> {
    if stat.min == stat.max {
        return None; // no spread: a half-width left over from rounding is noise
    }
    warranted_decimals(stat.ci95)
}

/// A figure of `stat`'s row (its min or max) rounded like the mean; a whole
/// number (a count) stays whole.
pub fn fmt_like_mean(v: f64, stat: &Stat) -> String {
    match row_decimals(stat) {
        Some(decimals) if v.is_finite() && v.fract() != 0.0 => fmt_at(v, decimals),
        _ => fmt_human(v),
    }
}

/// `mean ± ci95` rounded to the precision the interval warrants: the
/// half-width to two significant digits and the mean to the same decimal
/// place (`3600 ± 17`, `0.00296 ± 0.00031`); a zero half-width leaves the
/// mean in people's form (`0.5 ± 0`).
pub fn fmt_interval(stat: &Stat) -> String {
    match row_decimals(stat) {
        Some(decimals) if stat.mean.is_finite() => {
            format!("{} ± {}", fmt_at(stat.mean, decimals), fmt_at(stat.ci95, decimals))
        }
        _ => format!(
            "{} ± {}",
            fmt_human(stat.mean),
            if stat.min == stat.max { "0".into() } else { fmt_human(stat.ci95) }
        ),
    }
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
    /// The measured window `[from, to)`.
    pub window: (Time, Time),
}

#[derive(serde::Serialize)]
struct WindowJson {
    from_s: f64,
    to_s: f64,
}

#[derive(serde::Serialize)]
struct SummaryJson<'a> {
    scenario: &'a str,
    kind: &'static str,
    seed: u64,
    replications: u64,
    /// Why a `--precision` run stopped adding replications.
    #[serde(skip_serializing_if = "Option::is_none")]
    stopped: Option<&'static str>,
    duration_s: f64,
    warmup_s: f64,
    window: WindowJson,
    metrics: MetricsJson<'a>,
}

pub fn write_summary_json(path: &Path, info: &RunInfo, output: &RunOutput) -> Result<()> {
    let summary = output.summary();
    let json = SummaryJson {
        scenario: info.scenario,
        kind: info.kind.as_str(),
        seed: info.seed,
        replications: output.replications.len() as u64,
        stopped: output.stopped.map(|s| s.as_str()),
        duration_s: crate::engine::to_secs(info.duration),
        warmup_s: crate::engine::to_secs(info.warmup),
        window: WindowJson {
            from_s: crate::engine::to_secs(info.window.0),
            to_s: crate::engine::to_secs(info.window.1),
        },
        metrics: MetricsJson(&summary),
    };
    let mut text = serde_json::to_string_pretty(&json)?;
    text.push('\n');
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

pub fn csv_writer(path: &Path) -> Result<csv::Writer<std::fs::File>> {
    csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))
}

/// The error of a failed write, naming the file (a full disk says only "No
/// space left on device").
pub fn cannot_write(path: &Path) -> impl Fn() -> String + '_ {
    move || format!("cannot write {}", path.display())
}

pub fn write_replications_csv(path: &Path, output: &RunOutput) -> Result<()> {
    let mut w = csv_writer(path)?;
    let mut header = vec!["replication", "seed"];
    header.extend(output.metric_names.iter());
    w.write_record(&header).with_context(cannot_write(path))?;
    for r in &output.replications {
        let mut row = vec![r.index.to_string(), r.seed.to_string()];
        row.extend(r.values.iter().map(|v| fmt_value(*v)));
        w.write_record(&row).with_context(cannot_write(path))?;
    }
    w.flush().with_context(cannot_write(path))
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
            let (mean, min, max) = (fmt_interval(s), fmt_like_mean(s.min, s), fmt_like_mean(s.max, s));
            out.push_str(&format!("{name:width$}  {mean:>22}  {min:>12}  {max:>12}\n"));
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

    fn stat(mean: f64, ci95: f64, min: f64, max: f64) -> Stat {
        Stat { mean, ci95, min, max }
    }

    #[test]
    fn intervals_keep_two_significant_digits_of_the_half_width() {
        // By hand: 16.8457 → 17 (two digits, units), so the mean goes to units: 3599.88 → 3600.
        assert_eq!(fmt_interval(&stat(3599.88, 16.8457, 3500.0, 3700.0)), "3600 ± 17");
        // 0.000311225 → 0.00031 (fifth decimal), so 0.00295893 → 0.00296.
        assert_eq!(fmt_interval(&stat(0.00295893, 0.000311225, 0.002, 0.004)), "0.00296 ± 0.00031");
        // 2345 → 2300 (hundreds), so 1234567 → 1234600.
        assert_eq!(fmt_interval(&stat(1234567.0, 2345.0, 1.2e6, 1.3e6)), "1234600 ± 2300");
        // No spread: the mean as people read it.
        assert_eq!(fmt_interval(&stat(0.5, 0.0, 0.5, 0.5)), "0.5 ± 0");
        // 99.7 is 1.0e2 to two digits: the mean goes to tens.
        assert_eq!(fmt_interval(&stat(1234.5, 99.7, 1000.0, 1500.0)), "1230 ± 100");
        // 0.0449 → 0.045 (third decimal); a mean that rounds to zero has no sign.
        assert_eq!(fmt_interval(&stat(-0.0004, 0.0449, -0.1, 0.1)), "0.000 ± 0.045");
        assert_eq!(fmt_interval(&stat(-2.5, 0.26, -3.0, -2.0)), "-2.50 ± 0.26");
        // Equal replications with a half-width left by floating-point noise.
        assert_eq!(fmt_interval(&stat(0.1 + 0.2, 5e-17, 0.3, 0.3)), "0.3 ± 0");
    }

    #[test]
    fn min_and_max_round_like_the_mean_of_their_row() {
        let s = stat(3599.88, 16.8457, 3512.345, 3687.5);
        assert_eq!((fmt_like_mean(s.min, &s), fmt_like_mean(s.max, &s)), ("3512".into(), "3688".into()));
        let s = stat(0.00295893, 0.000311225, 0.0012345, 0.0049999);
        assert_eq!((fmt_like_mean(s.min, &s), fmt_like_mean(s.max, &s)), ("0.00123".into(), "0.00500".into()));
        let s = stat(7.0, 0.0, 7.0, 7.0);
        assert_eq!(fmt_like_mean(s.min, &s), "7");
        // Counts stay whole: 1.74 ± 0.84 calls blocked, from 0 to 12.
        let s = stat(1.74, 0.843475, 0.0, 12.0);
        assert_eq!((fmt_like_mean(s.min, &s), fmt_like_mean(s.max, &s)), ("0".into(), "12".into()));
    }

    /// A full disk says "No space left on device" and nothing more: every
    /// writer names its file. `/dev/full` fails every write, for root too
    /// (a read-only folder would not stop root).
    #[test]
    fn a_failed_write_names_the_file() {
        use crate::experiment::Replication;
        use crate::experiment::compare::Comparison;
        use crate::experiment::shard::{SHARD_FORMAT, Shard, ShardInfo};
        use crate::experiment::sweep::{Axis, Point};
        if !Path::new("/dev/full").exists() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let full = dir.path().join("full.csv");
        std::os::unix::fs::symlink("/dev/full", &full).unwrap();
        let output = RunOutput {
            metric_names: vec!["calls_offered"],
            replications: vec![Replication { index: 0, seed: 1, values: vec![5.0] }],
            stopped: None,
        };
        let info = RunInfo {
            scenario: "s",
            kind: Kind::VoiceMessaging,
            seed: 1,
            duration: SECOND,
            warmup: Time::ZERO,
            window: (Time::ZERO, SECOND),
        };
        let comparison = Comparison { strategies: vec!["sccp".into()], outputs: vec![output.clone()] };
        let scenario = crate::scenario::parse_str("s.yaml", "s", "duration: 1h\n").unwrap();
        let axes = [Axis { key: "phone_system.ports".into(), values: vec!["8".into()] }];
        let points = [Point { values: vec!["8".into()], scenario: scenario.clone() }];
        let shard = ShardInfo {
            format: SHARD_FORMAT,
            scenario_name: "s".into(),
            seed: 1,
            replications: 1,
            shard: Shard { index: 0, count: 1 },
            duration_us: SECOND.as_us(),
            warmup_us: 0,
            trace: "first".into(),
            scenario: scenario.to_json(),
            files: Default::default(),
        };
        let input = dir.path().join("in.csv");
        std::fs::write(&input, "h\n1\n").unwrap();
        let failures = [
            write_summary_json(&full, &info, &output),
            write_replications_csv(&full, &output),
            experiments::write_comparison_csv(&full, &comparison),
            experiments::write_sweep_csv(&full, &axes, &points, std::slice::from_ref(&output)),
            traces::concat(&full, "h", &[&input], true),
            merge::write_shard_json(&full, &shard),
        ];
        for (i, result) in failures.into_iter().enumerate() {
            let message = format!("{:#}", result.expect_err("a write to /dev/full fails"));
            assert!(message.starts_with(&format!("cannot write {}", full.display())), "writer {i}: {message}");
        }
        // The trace spools: the first set's load.csv part on a full disk.
        use crate::experiment::TraceSink;
        let spool = traces::Spool::new(dir.path());
        std::os::unix::fs::symlink("/dev/full", dir.path().join(".spool-0000.load")).unwrap();
        let tracer = spool.open(0, SECOND * 3, 3).unwrap();
        spool.close(0, tracer).unwrap();
        let message = format!("{:#}", spool.finish(true).expect_err("a write to /dev/full fails"));
        assert!(message.starts_with("cannot write ") && message.contains(".spool-0000.load:"), "{message}");
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
