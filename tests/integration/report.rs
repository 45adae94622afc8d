//! report.html (SPEC §7), its static contract checked without a browser:
//! one row per metric of summary.json (`data-metric`), one row per event of
//! the traced replication (`data-time-s`), every timeline mark with
//! `data-time-s` and `data-server`, one `role="tooltip"`; self-contained
//! (no web address at all) and small; rewritten byte for byte by `chart DIR`
//! from the folder's files. The browser tests (tests/browser) drive it.

use crate::common::*;
use std::path::Path;

/// A day with a crash, a cut link and a stopped service: every voice lane has marks.
const DAY: &str = "\
name: report-day
description: A crash, a cut and a stopped service in one day.
duration: 24h
replications: 3
seed: 7
phone_system: {integration: sccp, ports: 12}
traffic: {calls_per_hour: 400, hold_time: {distribution: exponential, mean: 90s}}
failures:
  - {at: 8h, crash: publisher, for: 20m}
  - {at: 14h, partition: [publisher, subscriber], for: 15m}
  - {at: 18h, stop_service: {server: subscriber, service: conversation_manager}, for: 10m}
";

const CHAT: &str = "\
kind: persistent_chat
name: report-chat
duration: 6h
replications: 2
seed: 2
chat: {posts_per_hour: 2000}
failures:
  - {at: 2h, datacenter_down: primary}
";

const BUNDLED_LIMIT_BYTES: u64 = 3 * 1024 * 1024;

fn cli_ok(args: &[&str], dir: &Path) -> String {
    let o = run_cli(args, dir);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text of the element that `open` starts, up to `close`.
fn element<'a>(html: &'a str, open: &str, close: &str) -> &'a str {
    let start = html.find(open).unwrap_or_else(|| panic!("no {open}"));
    let end = start + html[start..].find(close).unwrap_or_else(|| panic!("{open} is not closed"));
    &html[start..end]
}

/// The value of attribute `name` in the tag that `tag` starts, if any.
fn attr(tag: &str, name: &str) -> Option<String> {
    let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    Some(tag[start..start + tag[start..].find('"')?].to_string())
}

/// `attr` of every `<tr` of the table that `open` starts (header rows have none).
fn rows(html: &str, open: &str, name: &str) -> Vec<String> {
    element(html, open, "</table>").split("<tr").skip(1).filter_map(|tr| attr(tr, name)).collect()
}

/// The metric names of summary.json, in file order (pretty-printed: one per line at depth 2).
fn summary_metrics(dir: &Path) -> Vec<String> {
    read(&dir.join("summary.json"))
        .lines()
        .filter_map(|l| l.strip_prefix("    \"")?.strip_suffix("\": {").map(str::to_string))
        .collect()
}

/// `(time_s, server, event)` of every events.csv row of the first replication in it.
fn traced_events(dir: &Path) -> Vec<(String, String, String)> {
    let mut reader = csv::Reader::from_path(dir.join("events.csv")).unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let first = records[0][0].to_string();
    records.iter().filter(|r| r[0] == first).map(|r| (r[1].to_string(), r[2].to_string(), r[3].to_string())).collect()
}

/// Checks the contract every run report keeps.
fn assert_run_contract(dir: &Path) {
    let html = read(&dir.join("report.html"));
    assert_eq!(rows(&html, "<table class=\"metrics\"", "data-metric"), summary_metrics(dir), "{}", dir.display());
    let events = traced_events(dir);
    let list = element(&html, "<table id=\"event-list\"", "</table>");
    let got: Vec<(String, String, String)> = list
        .split("<tr")
        .skip(1)
        .filter_map(|tr| Some((attr(tr, "data-time-s")?, attr(tr, "data-server")?, attr(tr, "data-event")?)))
        .collect();
    assert_eq!(got, events, "{}", dir.display());
    let marks: Vec<&str> = html.split("<rect class=\"mark ").skip(1).collect();
    assert!(!marks.is_empty());
    for mark in marks {
        assert!(attr(mark, "data-time-s").is_some() && attr(mark, "data-server").is_some(), "{mark}");
    }
    assert_eq!(html.matches("role=\"tooltip\"").count(), 1);
}

/// Self-contained: no web address anywhere (so nothing fetched, nothing linked
/// outside), no external script or style, and under the size bound.
fn assert_self_contained(path: &Path) {
    let html = read(path);
    for outside in ["http://", "https://", "<link", "src=", "@import"] {
        assert!(!html.contains(outside), "{} contains {outside}", path.display());
    }
    let size = std::fs::metadata(path).unwrap().len();
    assert!(size < BUNDLED_LIMIT_BYTES, "{} is {size} bytes", path.display());
}

#[test]
fn a_run_report_has_a_row_per_metric_and_per_event_of_the_traced_replication() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "day.yaml", DAY);
    // Every replication traced: the list shows the first one's events only.
    cli_ok(&["run", "day.yaml", "--out", "day", "--trace", "all", "--quiet"], tmp.path());
    let dir = tmp.path().join("day");
    assert_run_contract(&dir);
    assert_self_contained(&dir.join("report.html"));
    let html = read(&dir.join("report.html"));
    // The run's facts and the command that reproduces it.
    assert!(html.contains("clustersim run scenarios/report-day.yaml --seed 7 --replications 3 --trace all"));
    // A lane of marks per fault of the timeline, each fault paired with its end.
    for (class, at_s, end_s) in
        [("f-crash", "28800", "30000"), ("f-link", "50400", "51300"), ("f-service", "64800", "65400")]
    {
        let mark =
            html.split(&format!("<rect class=\"mark fault {class}\"")).nth(1).unwrap_or_else(|| panic!("{class}"));
        assert_eq!(
            (attr(mark, "data-time-s").as_deref(), attr(mark, "data-end-s").as_deref()),
            (Some(at_s), Some(end_s))
        );
    }
}

#[test]
fn chart_dir_rewrites_the_report_from_the_files_alone() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "day.yaml", DAY);
    cli_ok(&["run", "day.yaml", "--out", "day", "--quiet"], tmp.path());
    let copy = tmp.path().join("elsewhere");
    std::fs::create_dir(&copy).unwrap();
    for entry in std::fs::read_dir(tmp.path().join("day")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv" || e == "json") {
            std::fs::copy(&path, copy.join(path.file_name().unwrap())).unwrap();
        }
    }
    let printed = cli_ok(&["chart", "elsewhere"], tmp.path());
    assert!(printed.lines().any(|l| l == Path::new("elsewhere").join("report.html").to_string_lossy()), "{printed}");
    assert_eq!(read(&copy.join("report.html")), read(&tmp.path().join("day/report.html")));
    no_temporary_files(&copy);
}

fn no_temporary_files(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.contains(".tmp"), "{name} left in {}", dir.display());
    }
}

#[test]
fn no_charts_writes_no_report() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "day.yaml", DAY);
    cli_ok(&["run", "day.yaml", "--out", "day", "--quiet", "--no-charts", "--replications", "1"], tmp.path());
    assert!(!tmp.path().join("day/report.html").exists());
}

/// `&amp;` and friends back to text.
fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

#[test]
fn the_command_in_the_report_writes_the_same_results_again() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::create_dir(d.join("scenarios")).unwrap();
    write(&d.join("scenarios"), "report-day.yaml", DAY);
    cli_ok(
        &["run", "scenarios/report-day.yaml", "--out", "first", "--quiet", "--seed", "99", "--replications", "2"],
        d,
    );
    let html = read(&d.join("first/report.html"));
    let command = unescape(
        element(&html, "<pre class=\"command\"><code>", "</code>").trim_start_matches("<pre class=\"command\"><code>"),
    );
    let args: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(args[..2], ["clustersim", "run"], "{command}");
    let mut again = args[1..].to_vec();
    again.extend(["--out", "again", "--quiet"]);
    cli_ok(&again, d);
    for file in ["summary.json", "replications.csv", "events.csv", "status.csv", "load.csv", "report.html"] {
        assert_eq!(read(&d.join("first").join(file)), read(&d.join("again").join(file)), "{file}");
    }
}

#[test]
fn a_chat_report_has_the_runbook_as_gantt_rows() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "chat.yaml", CHAT);
    cli_ok(&["run", "chat.yaml", "--out", "chat", "--quiet"], tmp.path());
    let dir = tmp.path().join("chat");
    assert_run_contract(&dir);
    let html = read(&dir.join("report.html"));
    // The runbook of C4: a decision and seven steps, a row each, in the seed's order.
    let labels: Vec<&str> = html
        .split("<text class=\"lane-label")
        .skip(1)
        .filter_map(|t| t.split_once('>')?.1.split_once("</text>").map(|(l, _)| l))
        .filter(|l| l.starts_with("runbook: "))
        .collect();
    assert_eq!(labels.len(), 8, "{labels:?}");
    assert_eq!(labels[0], "runbook: decide");
    // Each step a span from the step before it to its own event: they tile
    // the time from the loss to the last step.
    let spans: Vec<(f64, f64)> = html
        .split("<rect class=\"mark runbook\"")
        .skip(1)
        .map(|m| (attr(m, "data-time-s").unwrap().parse().unwrap(), attr(m, "data-end-s").unwrap().parse().unwrap()))
        .collect();
    assert_eq!(spans.len(), 8);
    assert_eq!(spans[0].0, 7200.0, "the decision starts at the loss");
}

#[test]
fn compare_and_sweep_reports_show_their_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "day.yaml", DAY);
    cli_ok(
        &["compare", "day.yaml", "--integrations", "sccp,sip_trunk", "--replications", "3", "--out", "cmp", "--quiet"],
        d,
    );
    let html = read(&d.join("cmp/report.html"));
    assert_self_contained(&d.join("cmp/report.html"));
    let metrics = rows(&html, "<table class=\"comparison\"", "data-metric");
    assert_eq!(metrics.len(), 26, "a row per voice metric");
    assert!(element(&html, "<table class=\"comparison\"", "</thead>").contains("<th>sip_trunk</th>"));
    // sip_trunk gives each server half the ports: its blocking differs beyond the interval.
    let row = element(&html, "<tr data-metric=\"blocking_probability\"", "</tr>");
    assert!(row.contains("class=\"diff beyond\""), "{row}");
    cli_ok(
        &["sweep", "day.yaml", "--set", "phone_system.ports=8,12", "--replications", "2", "--out", "sw", "--quiet"],
        d,
    );
    let html = read(&d.join("sw/report.html"));
    assert_eq!(rows(&html, "<table class=\"sweep\"", "data-metric").len(), 26);
    assert!(element(&html, "<table class=\"sweep\"", "</thead>").contains("<th>12</th>"));
}

#[test]
fn sizing_and_expectations_are_shown_when_the_folder_has_them() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "sizing.csv",
        "strategy,phone_system.ports,metric,mean,ci95,meets\n\
         sccp,16,blocking_probability,0.02,0.001,false\n\
         sccp,18,blocking_probability,0.008,0.001,true\n\
         sip_trunk,1024,blocking_probability,0.5,0.01,false\n",
    );
    write(
        d,
        "sizing.json",
        r#"{"key": "phone_system.ports", "targets": [{"metric": "blocking_probability", "op": "<=", "value": 0.01}],
            "answers": {"sip_trunk": null, "sccp": 18}}"#,
    );
    write(
        d,
        "expectations.csv",
        "strategy,metric,bound,value,mean,ci95,verdict\nsccp,blocking_probability,max,0.01,0.008,0.001,holds\n\
         sip_trunk,blocking_probability,max,0.01,0.5,0.01,fails\n",
    );
    let path = clustersim::report::html::write(d).unwrap();
    let html = read(&path);
    // Answers in the order the strategies were searched (sizing.csv), not sizing.json's.
    assert_eq!(rows(&html, "<table class=\"answers\"", "data-strategy"), ["sccp", "sip_trunk"]);
    let answers = element(&html, "<table class=\"answers\"", "</table>");
    assert!(answers.contains("<td class=\"num answer\">18</td>") && answers.contains("not met"), "{answers}");
    assert_eq!(rows(&html, "<table class=\"expectations\"", "data-verdict"), ["holds", "fails"]);
    assert!(element(&html, "<table class=\"expectations\"", "</table>").contains("≤ 0.01"));
}

#[test]
fn the_bundled_reports_are_self_contained_and_keep_the_contract() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("results");
    let mut seen = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let report = dir.join("report.html");
        assert!(report.is_file(), "{} has no report.html: run results/regenerate.sh", dir.display());
        assert_self_contained(&report);
        if dir.join("events.csv").is_file() {
            assert_run_contract(&dir);
        }
        seen += 1;
    }
    assert!(seen >= 10, "{seen} results folders");
}
