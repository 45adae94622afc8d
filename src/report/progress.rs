//! The progress bar: on stderr, only on a terminal, never with `--quiet`.

use crate::experiment::Watch;
use crate::experiment::precision::Standing;
use crate::report::fmt_human;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    pub fn new(total: u64, what: &str, quiet: bool) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = ProgressBar::new(total);
        let template = format!("{{bar:40}} {{pos}}/{{len}} {what}  {{per_sec}}  {{eta}} left  {{msg}}");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        Progress { bar: Some(bar) }
    }

    pub fn tick(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// More work than first announced (another candidate of `size`).
    pub fn grow(&self, more: u64) {
        if let Some(bar) = &self.bar {
            bar.inc_length(more);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Watch for Progress {
    fn replication_done(&self) {
        self.tick();
    }

    /// Shows each precision target's widest half-width against its goal, and
    /// stretches the bar to the next batch.
    fn batch_done(&self, standing: &Standing) {
        let Some(bar) = &self.bar else { return };
        let gaps: Vec<String> = standing
            .worst
            .iter()
            .map(|(metric, ci95, goal)| format!("{metric} ±{} (target ±{})", fmt_human(*ci95), fmt_human(*goal)))
            .collect();
        bar.set_message(gaps.join(", "));
        if let Some(next) = standing.next {
            // Past what this batch and any earlier work announced.
            let more = (next - standing.replications) * standing.scenarios as u64;
            let announced = bar.length().unwrap_or(0);
            let reached = bar.position() + more;
            bar.inc_length(reached.saturating_sub(announced));
        }
    }
}
