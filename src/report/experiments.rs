//! The files and tables of `compare` and `sweep`.

use super::{cannot_write, csv_writer, fmt_human, fmt_interval, fmt_value};
use crate::experiment::compare::Comparison;
use crate::experiment::sweep::{Axis, Point};
use crate::experiment::{RunOutput, Stat, summarize};
use anyhow::{Context, Result};
use std::path::Path;

/// `comparison.csv`: `strategy,metric,mean,ci95,diff,diff_ci95`.
pub fn write_comparison_csv(path: &Path, comparison: &Comparison) -> Result<()> {
    let mut w = csv_writer(path)?;
    w.write_record(["strategy", "metric", "mean", "ci95", "diff", "diff_ci95"]).with_context(cannot_write(path))?;
    for row in comparison.rows() {
        w.write_record([
            row.strategy.as_str(),
            row.metric,
            &fmt_value(row.stat.mean),
            &fmt_value(row.stat.ci95),
            &fmt_value(row.diff.mean),
            &fmt_value(row.diff.ci95),
        ])
        .with_context(cannot_write(path))?;
    }
    w.flush().with_context(cannot_write(path))
}

/// `sweep.csv`: one column per swept key, then `metric,mean,ci95`.
pub fn write_sweep_csv(path: &Path, axes: &[Axis], points: &[Point], outputs: &[RunOutput]) -> Result<()> {
    let mut w = csv_writer(path)?;
    let mut header: Vec<&str> = axes.iter().map(|a| a.key.as_str()).collect();
    header.extend(["metric", "mean", "ci95"]);
    w.write_record(&header).with_context(cannot_write(path))?;
    for (point, output) in points.iter().zip(outputs) {
        for (name, stat) in output.summary() {
            let mut row = point.values.clone();
            row.extend([name.to_string(), fmt_value(stat.mean), fmt_value(stat.ci95)]);
            w.write_record(&row).with_context(cannot_write(path))?;
        }
    }
    w.flush().with_context(cannot_write(path))
}

/// A table cell: mean ± ci95 rounded as the interval warrants, or the value alone for one replication.
fn cell(stat: &Stat, replications: usize) -> String {
    if replications > 1 { fmt_interval(stat) } else { fmt_human(stat.mean) }
}

/// A text table: a header row and rows, columns padded to fit.
fn table(header: Vec<String>, rows: Vec<Vec<String>>) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).chain([header[c].chars().count()]).max().unwrap_or(0))
        .collect();
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(c, text)| {
                let pad = widths[c] - text.chars().count();
                if c == 0 { format!("{text}{}", " ".repeat(pad)) } else { format!("{}{text}", " ".repeat(pad)) }
            })
            .collect();
        padded.join("  ").trim_end().to_string() + "\n"
    };
    let mut out = line(&header);
    for r in &rows {
        out.push_str(&line(r));
    }
    out
}

/// Metric rows, strategy columns: mean ± ci95, and the difference from the
/// first strategy (mean ± its paired ci95).
pub fn comparison_table(comparison: &Comparison, metrics: &[&str]) -> String {
    let n = comparison.outputs[0].replications.len();
    let (note, labels) = short_labels(&comparison.strategies);
    let rows = comparison.rows();
    let find = |s: &String, metric: &str| rows.iter().find(|r| &r.strategy == s && r.metric == metric).expect("metric");
    let mut header = vec!["metric".to_string()];
    header.extend(labels.iter().cloned());
    let means = metrics
        .iter()
        .map(|metric| {
            let mut cells = vec![metric.to_string()];
            cells.extend(comparison.strategies.iter().map(|s| cell(&find(s, metric).stat, n)));
            cells
        })
        .collect();
    let mut out = note;
    out.push_str(&table(header, means));
    if comparison.strategies.len() > 1 {
        out.push_str(&format!("\npaired difference from {} (same calls and faults):\n", labels[0]));
        let mut header = vec!["metric".to_string()];
        header.extend(labels[1..].iter().map(|l| format!("{l} − {}", labels[0])));
        let diffs = metrics
            .iter()
            .map(|metric| {
                let mut cells = vec![metric.to_string()];
                cells.extend(comparison.strategies[1..].iter().map(|s| cell(&find(s, metric).diff, n)));
                cells
            })
            .collect();
        out.push_str(&table(header, diffs));
    }
    out
}

/// Strategies named `key=value` for one shared key are labelled by their
/// value alone, with a note naming the key.
pub(crate) fn short_labels(names: &[String]) -> (String, Vec<String>) {
    let split: Vec<Option<(&str, &str)>> =
        names.iter().map(|n| n.split_once('=').filter(|(_, v)| !v.contains('='))).collect();
    if let Some(Some((key, _))) = split.first()
        && split.iter().all(|s| s.is_some_and(|(k, _)| k == *key))
    {
        let values: Vec<String> = split.iter().map(|s| s.expect("checked").1.to_string()).collect();
        return (format!("strategies: {key} = {}\n", values.join(", ")), values);
    }
    (String::new(), names.to_vec())
}

/// Grid-point rows, metric columns.
pub fn sweep_table(axes: &[Axis], points: &[Point], outputs: &[RunOutput], metrics: &[&str]) -> String {
    let mut header: Vec<String> = axes.iter().map(|a| a.key.clone()).collect();
    header.extend(metrics.iter().map(|m| m.to_string()));
    let rows = points
        .iter()
        .zip(outputs)
        .map(|(p, o)| {
            let mut cells = p.values.clone();
            for m in metrics {
                let s = o.column_of(m).map(|c| summarize(&o.column(c))).expect("metric");
                cells.push(cell(&s, o.replications.len()));
            }
            cells
        })
        .collect();
    table(header, rows)
}
