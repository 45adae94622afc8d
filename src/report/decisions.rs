//! The files and tables of decisions: judged expectations
//! (`expectations.csv`) and sizing answers (`sizing.csv`, `sizing.json`).

use super::{cannot_write, csv_writer, fmt_interval, fmt_value};
use crate::experiment::expect::{Judged, Verdict};
use crate::experiment::size::{SizeTarget, Sizing};
use anyhow::{Context, Result};
use std::path::Path;

/// Expectations judged over one run, or over each strategy or grid point:
/// the columns that say which (none for a run) and, per row, their values.
#[derive(Debug, Clone, Default)]
pub struct Judgement {
    pub labels: Vec<String>,
    pub rows: Vec<(Vec<String>, Judged)>,
}

impl Judgement {
    /// The rows with this verdict.
    pub fn with(&self, verdict: Verdict) -> impl Iterator<Item = &(Vec<String>, Judged)> {
        self.rows.iter().filter(move |(_, j)| j.verdict == verdict)
    }

    /// One row in words: `blocking_probability max 0.01: 0.013 ± 0.002 (strategy=sccp)`.
    pub fn describe(&self, (values, judged): &(Vec<String>, Judged)) -> String {
        let at = if values.is_empty() {
            String::new()
        } else {
            let pairs: Vec<String> = self.labels.iter().zip(values).map(|(l, v)| format!("{l}={v}")).collect();
            format!(" ({})", pairs.join(", "))
        };
        format!(
            "{} {} {}: {}{at}",
            judged.metric,
            judged.bound.as_str(),
            fmt_value(judged.value),
            fmt_interval(&judged.stat)
        )
    }

    /// The printed verdicts, one line each.
    pub fn table(&self) -> String {
        let mut out = String::from("expectations:\n");
        for row in &self.rows {
            out.push_str(&format!("  {:6}  {}\n", row.1.verdict.as_str(), self.describe(row)));
        }
        out
    }
}

/// `expectations.csv`: the label columns, then `metric,bound,value,mean,ci95,verdict`.
pub fn write_expectations_csv(path: &Path, judgement: &Judgement) -> Result<()> {
    let mut w = csv_writer(path)?;
    let mut header: Vec<&str> = judgement.labels.iter().map(String::as_str).collect();
    header.extend(["metric", "bound", "value", "mean", "ci95", "verdict"]);
    w.write_record(&header).with_context(cannot_write(path))?;
    for (values, j) in &judgement.rows {
        let mut row = values.clone();
        row.extend([
            j.metric.clone(),
            j.bound.as_str().to_string(),
            fmt_value(j.value),
            fmt_value(j.stat.mean),
            fmt_value(j.stat.ci95),
            j.verdict.as_str().to_string(),
        ]);
        w.write_record(&row).with_context(cannot_write(path))?;
    }
    w.flush().with_context(cannot_write(path))
}

/// `sizing.csv`: `strategy,KEY,metric,mean,ci95,meets`, one row per evaluated
/// value and target, in strategy then key order.
pub fn write_sizing_csv(path: &Path, key: &str, targets: &[SizeTarget], sizings: &[Sizing]) -> Result<()> {
    let mut w = csv_writer(path)?;
    w.write_record(["strategy", key, "metric", "mean", "ci95", "meets"]).with_context(cannot_write(path))?;
    for sizing in sizings {
        for c in &sizing.candidates {
            for ((target, stat), meets) in targets.iter().zip(&c.stats).zip(&c.meets) {
                w.write_record([
                    sizing.strategy.as_str(),
                    &c.value.to_string(),
                    &target.metric,
                    &fmt_value(stat.mean),
                    &fmt_value(stat.ci95),
                    if *meets { "true" } else { "false" },
                ])
                .with_context(cannot_write(path))?;
            }
        }
    }
    w.flush().with_context(cannot_write(path))
}

#[derive(serde::Serialize)]
struct TargetJson<'a> {
    metric: &'a str,
    op: &'static str,
    value: f64,
}

/// The answers as a JSON object whose keys keep the strategies' order.
struct Answers<'a>(&'a [Sizing]);

impl serde::Serialize for Answers<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|sizing| (&sizing.strategy, sizing.answer)))
    }
}

#[derive(serde::Serialize)]
struct SizingJson<'a> {
    key: &'a str,
    targets: Vec<TargetJson<'a>>,
    /// Per strategy, in the order searched: the answer, or null when no value in range meets the targets.
    answers: Answers<'a>,
    /// The least value at which Erlang B meets a blocking target (one pool, no failure), if there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    textbook: Option<u32>,
    warnings: Vec<&'a str>,
}

/// `sizing.json`: the key, the targets and each strategy's answer.
pub fn write_sizing_json(
    path: &Path,
    key: &str,
    targets: &[SizeTarget],
    sizings: &[Sizing],
    textbook: Option<u32>,
) -> Result<()> {
    let json = SizingJson {
        key,
        targets: targets.iter().map(|t| TargetJson { metric: &t.metric, op: t.op.as_str(), value: t.value }).collect(),
        answers: Answers(sizings),
        textbook,
        warnings: sizings.iter().flat_map(|s| s.warnings.iter().map(String::as_str)).collect(),
    };
    let mut text = serde_json::to_string_pretty(&json)?;
    text.push('\n');
    std::fs::write(path, text).with_context(cannot_write(path))
}

/// The printed answers: per strategy the least value meeting every target,
/// each target's mean ± ci95 there, and the textbook answer beside them.
pub fn sizing_table(key: &str, targets: &[SizeTarget], sizings: &[Sizing], textbook: Option<u32>) -> String {
    let width = sizings.iter().map(|s| s.strategy.len()).chain(["strategy".len()]).max().unwrap_or(8);
    let key_width = key.len().max(8);
    let mut out = format!("{:width$}  {:>key_width$}", "strategy", key);
    for t in targets {
        out.push_str(&format!("  {:>24}", t.to_string()));
    }
    if textbook.is_some() {
        out.push_str("  Erlang B (no failure)");
    }
    out.push('\n');
    for s in sizings {
        let answer = s.answer.map_or("not in range".to_string(), |a| a.to_string());
        out.push_str(&format!("{:width$}  {answer:>key_width$}", s.strategy));
        let at = s.answer.and_then(|a| s.candidates.iter().find(|c| c.value == a));
        for i in 0..targets.len() {
            let cell = at.map_or("-".to_string(), |c| fmt_interval(&c.stats[i]));
            out.push_str(&format!("  {cell:>24}"));
        }
        if let Some(t) = textbook {
            out.push_str(&format!("  {t:>22}"));
        }
        out.push('\n');
    }
    out
}
