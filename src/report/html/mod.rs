//! `report.html`: one self-contained page per results folder, for a person
//! who would rather look than read CSV (SPEC §7).
//!
//! ```text
//!   folder files ──folder::read──▶ Folder ──render──▶ HTML text ──write──▶ report.html
//!                                    │                 ▲
//!                                    └─ charts drawn to SVG strings, inlined
//! ```
//! The page is built from the folder's files alone, so `clustersim chart
//! DIR` writes the same bytes the run did. Everything is inline (CSS, the
//! hand-written script, SVG): nothing is fetched, nothing links outside.
//!
//! The tests' contract: each timeline mark carries `data-time-s` and
//! `data-server`; the tooltip has `role="tooltip"`; the event list is a
//! `<table>` with one row per event of the traced replication, each with
//! `data-time-s`; the metrics table has one row per metric of
//! `summary.json`, each with `data-metric`.

mod sections;
mod timeline;

use crate::report::charts;
use crate::report::folder::{self, Folder};

use crate::engine::{DAY, HOUR, MINUTE, SECOND, Time};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// The report's file name.
pub const FILE: &str = "report.html";

const CSS: &str = include_str!("report.css");
const JS: &str = include_str!("report.js");

/// Reads results folder `dir` and writes its `report.html` (through a
/// temporary file, so a failure never leaves half a page).
pub fn write(dir: &Path) -> Result<PathBuf> {
    let folder = folder::read(dir)?;
    let charts = charts::svg_documents(&folder)?;
    let path = dir.join(FILE);
    let temp = dir.join(format!(".{FILE}.tmp"));
    let written = std::fs::write(&temp, render(&folder, &charts))
        .and_then(|()| std::fs::rename(&temp, &path))
        .with_context(|| format!("cannot write {}", path.display()));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written?;
    Ok(path)
}

/// The whole page, with the folder's charts as SVG documents by name.
pub fn render(folder: &Folder, charts: &[(String, String)]) -> String {
    let title = sections::title(folder);
    let mut body = String::new();
    body.push_str(&sections::header(folder, !charts.is_empty()));
    body.push_str("<main>\n");
    body.push_str(&sections::metrics(folder));
    body.push_str(&sections::expectations(folder));
    body.push_str(&sections::sizing(folder));
    body.push_str(&sections::comparison(folder));
    body.push_str(&sections::sweep(folder));
    body.push_str(&sections::timeline(folder));
    body.push_str(&sections::events(folder));
    body.push_str(&sections::charts(charts));
    body.push_str("</main>\n");
    body.push_str(
        "<footer>Written by clustersim from the files of this folder. The page is self-contained: \
         its styles, script and charts are inline and nothing is fetched.</footer>\n",
    );
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — clustersim report</title>\n<style>\n{CSS}{}</style>\n</head>\n<body>\n{body}<script>\n{JS}</script>\n</body>\n</html>\n",
        esc(&title),
        sections::colours(folder),
    )
}

/// Text made safe for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A time since the start of the run as a clock: `9:30:38.823976`, and
/// `2d 09:30:38` past the first day.
pub fn clock(t: Time) -> String {
    let (days, rest) = (t / DAY, t % DAY);
    let (hours, rest) = (rest / HOUR, rest % HOUR);
    let (minutes, rest) = (rest / MINUTE, rest % MINUTE);
    let (seconds, micros) = (rest / SECOND, (rest % SECOND).as_us());
    let fraction =
        if micros == 0 { String::new() } else { format!(".{}", format!("{micros:06}").trim_end_matches('0')) };
    if days > 0 {
        format!("{days}d {hours:02}:{minutes:02}:{seconds:02}{fraction}")
    } else {
        format!("{hours}:{minutes:02}:{seconds:02}{fraction}")
    }
}

/// A span for people: `38.8 s`, `20 min`, `3.2 h`, `365 d`.
pub fn duration_text(t: Time) -> String {
    crate::report::charts::style::duration(t.secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_count_from_the_start_of_the_run() {
        assert_eq!(clock(Time::from_us(34_238_823_976)), "9:30:38.823976");
        assert_eq!(clock(SECOND * 34_200), "9:30:00");
        assert_eq!(clock(DAY * 2 + HOUR * 9 + SECOND * 5), "2d 09:00:05");
        assert_eq!(clock(Time::ZERO), "0:00:00");
    }

    #[test]
    fn text_is_escaped_for_content_and_attributes() {
        assert_eq!(esc(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }
}
