//! Charts: every results folder gets the charts its files allow,
//! as valid 1600×900 PNGs (or SVG on request), drawn from the files alone —
//! the same files give the same bytes. What the voice charts show is checked
//! in voice_charts.rs, their fonts in chart_fonts.rs.

use crate::common::*;
use clustersim::report::charts::{ChartFormat, draw_dir};
use std::path::{Path, PathBuf};

/// A day with a timeline crash, a cut link and random faults: every lane and
/// panel of availability.png has something to show.
const DAY: &str = "\
name: chart-day
duration: 24h
replications: 3
seed: 11
phone_system: {integration: sip_trunk, ports: 12}
traffic: {calls_per_hour: 500, hold_time: {distribution: lognormal, mean: 80s, sd: 50s}}
failures:
  - {at: 8h, crash: publisher, for: 40m}
  - {at: 14h, partition: [publisher, subscriber], for: 20m}
random_failures:
  service: {mtbf: 10h, mttr: 15m, service: conversation_manager}
";

/// Forty days of random failures: long enough for the distribution charts.
const MONTH: &str = "\
name: chart-month
duration: 40d
replications: 4
seed: 3
phone_system: {integration: sccp, ports: 16}
traffic: {calls_per_hour: 300, hold_time: {distribution: lognormal, mean: 90s, sd: 60s}}
random_failures:
  crash: {mtbf: 300h, mttr: 4h}
  partition: {mtbf: 500h, mttr: 15m}
";

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// Runs the CLI in `dir`, failing the test with its stderr if it fails.
fn cli_ok(args: &[&str], dir: &Path) {
    let o = run_cli(args, dir);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
}

/// A results folder made by `clustersim run` of `yaml` with `extra` options.
fn run_folder(tmp: &Path, yaml: &str, extra: &[&str]) -> PathBuf {
    write(tmp, "s.yaml", yaml);
    let mut args = vec!["run", "s.yaml", "--out", "run", "--quiet"];
    args.extend(extra);
    cli_ok(&args, tmp);
    tmp.join("run")
}

fn names(paths: &[PathBuf]) -> Vec<String> {
    paths.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect()
}

/// The width and height in a PNG's IHDR, after checking the signature.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.len() > 24, "{} is too short for a PNG", path.display());
    assert_eq!(bytes[..8], PNG_SIGNATURE, "{} is not a PNG", path.display());
    assert_eq!(&bytes[12..16], b"IHDR", "{} does not start with IHDR", path.display());
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

fn assert_pngs_of_1600_by_900(paths: &[PathBuf]) {
    for p in paths {
        assert_eq!(png_size(p), (1600, 900), "{}", p.display());
    }
}

/// The folder's data files only (CSV and JSON), copied into a fresh folder.
fn copy_data(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let data = path.extension().is_some_and(|e| e == "csv" || e == "json");
        if data {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

/// The charts already in `dir` (drawn by the CLI, if it draws), by name.
fn charts_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png" || e == "svg"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

fn no_temporary_files_in(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.contains(".tmp."), "{name} left behind in {}", dir.display());
    }
}

#[test]
fn a_run_gets_an_availability_chart_of_1600_by_900() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run_folder(tmp.path(), DAY, &[]);
    let written = draw_dir(&dir, ChartFormat::Png).unwrap();
    assert_eq!(names(&written), ["availability.png"]);
    assert_pngs_of_1600_by_900(&written);
    no_temporary_files_in(&dir);
}

#[test]
fn redrawing_from_the_data_files_alone_gives_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run_folder(tmp.path(), DAY, &["--trace", "all"]);
    let drawn_by_the_run = charts_in(&dir);
    let copy = tmp.path().join("copy");
    copy_data(&dir, &copy);
    draw_dir(&copy, ChartFormat::Png).unwrap();
    let redrawn = charts_in(&copy);
    for (name, bytes) in &drawn_by_the_run {
        let again = redrawn.iter().find(|(n, _)| n == name).map(|(_, b)| b);
        assert!(again == Some(bytes), "{name}: the run's chart differs from `chart DIR`'s");
    }
    draw_dir(&dir, ChartFormat::Png).unwrap();
    assert_eq!(charts_in(&dir), redrawn, "drawing twice gave different bytes");
}

#[test]
fn a_compare_folder_gets_a_comparison_chart() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/publisher-outage.yaml");
    cli_ok(&["compare", scenario, "--replications", "4", "--out", "cmp", "--quiet"], tmp.path());
    let dir = tmp.path().join("cmp");
    let written = draw_dir(&dir, ChartFormat::Png).unwrap();
    assert!(names(&written).contains(&"comparison.png".to_string()), "{written:?}");
    assert_pngs_of_1600_by_900(&written);
}

#[test]
fn a_sweep_folder_gets_a_sweep_chart() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "s.yaml", DAY);
    let args = [
        "sweep",
        "s.yaml",
        "--set",
        "phone_system.ports=8,12",
        "--set",
        "phone_system.integration=sccp,sip_trunk",
        "--replications",
        "2",
        "--out",
        "sweep",
        "--quiet",
    ];
    cli_ok(&args, tmp.path());
    let dir = tmp.path().join("sweep");
    let written = draw_dir(&dir, ChartFormat::Png).unwrap();
    assert!(names(&written).contains(&"sweep.png".to_string()), "{written:?}");
    assert_pngs_of_1600_by_900(&written);
}

#[test]
fn a_long_run_with_random_failures_gets_the_distribution_and_status_time_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run_folder(tmp.path(), MONTH, &["--trace", "all"]);
    let written = draw_dir(&dir, ChartFormat::Png).unwrap();
    assert_eq!(names(&written), ["availability-distribution.png", "availability.png", "status-time.png"]);
    assert_pngs_of_1600_by_900(&written);
}

#[test]
fn a_short_run_gets_no_distribution_chart() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run_folder(tmp.path(), DAY, &[]);
    let written = draw_dir(&dir, ChartFormat::Png).unwrap();
    assert!(!names(&written).iter().any(|n| n.starts_with("availability-distribution")), "{written:?}");
}

#[test]
fn svg_output_is_drawn_on_request_and_is_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run_folder(tmp.path(), MONTH, &["--trace", "all"]);
    let written = draw_dir(&dir, ChartFormat::Svg).unwrap();
    assert_eq!(names(&written), ["availability-distribution.svg", "availability.svg", "status-time.svg"]);
    let first: Vec<String> = written.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    for text in &first {
        assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"), "{}", &text[..80.min(text.len())]);
        assert!(text.contains(r#"width="1600""#) && text.contains(r#"height="900""#));
    }
    draw_dir(&dir, ChartFormat::Svg).unwrap();
    let second: Vec<String> = written.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    assert_eq!(first, second);
}

#[test]
fn a_folder_with_only_some_files_gets_the_charts_they_allow() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "events.csv",
        "replication,time_s,server,event,detail\n0,0,publisher,initial_status,primary\n0,0,subscriber,initial_status,secondary\n0,100,publisher,crash,publisher crashes (timeline)\n",
    );
    write(
        d,
        "status.csv",
        "replication,time_s,server,from,to,cause\n0,100,publisher,primary,not_functioning,crash\n0,140,subscriber,secondary,primary,keepalive_lost\n",
    );
    let written = draw_dir(d, ChartFormat::Png).unwrap();
    assert_eq!(names(&written), ["availability.png"]);
    assert_pngs_of_1600_by_900(&written);
}

#[test]
fn header_only_files_draw_nothing_and_fail_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "status.csv", "replication,time_s,server,from,to,cause\n");
    write(d, "events.csv", "replication,time_s,server,event,detail\n");
    write(
        d,
        "load.csv",
        "replication,start_s,width_s,publisher_peak,subscriber_peak,blocked,dropped,mailbox_unavailable\n",
    );
    write(d, "comparison.csv", "strategy,metric,mean,ci95,diff,diff_ci95\n");
    write(d, "sweep.csv", "phone_system.ports,metric,mean,ci95\n");
    assert_eq!(draw_dir(d, ChartFormat::Png).unwrap(), Vec::<PathBuf>::new());
}

#[test]
fn an_empty_file_is_an_error_that_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "status.csv", "");
    let err = format!("{:#}", draw_dir(tmp.path(), ChartFormat::Png).unwrap_err());
    assert!(err.contains("status.csv"), "{err}");
}

#[test]
fn a_malformed_value_is_an_error_that_names_the_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "comparison.csv", "strategy,metric,mean,ci95,diff,diff_ci95\nsccp,calls_blocked,many,1,0,0\n");
    let err = format!("{:#}", draw_dir(tmp.path(), ChartFormat::Png).unwrap_err());
    assert!(err.contains("comparison.csv:2") && err.contains("many"), "{err}");
}

#[test]
fn a_missing_column_is_an_error_that_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "load.csv", "replication,start_s\n0,0\n");
    let err = format!("{:#}", draw_dir(tmp.path(), ChartFormat::Png).unwrap_err());
    assert!(err.contains("load.csv") && err.contains("width_s"), "{err}");
}

/// The seed's chat example, with few replications: a data-centre loss and the
/// manual runbook (one step, `copy_backups`, takes no time).
const CHAT: &str = "\
kind: persistent_chat
name: chart-chat
duration: 6h
replications: 3
seed: 1
chat: {posts_per_hour: 2000}
log_shipping: {backup_interval: 15m, copy_interval: 15m, restore_interval: 15m}
backup_share_survives: true
compliance: {adapter_interval: 5m}
runbook:
  decide: 15m
  remove_log_shipping: 2m
  copy_backups: 5m
  apply_per_backup: 1m
  bring_online: 2m
  set_pool_state: 1m
  set_active_servers: 2m
  install_mirror: {min: 15m, max: 30m}
failures:
  - {at: 2h07m30s, datacenter_down: primary}
";

/// The texts of an SVG chart, in drawing order, trimmed and unescaped.
fn svg_texts(path: &Path) -> Vec<String> {
    let svg = std::fs::read_to_string(path).unwrap();
    let unescape = |t: &str| {
        t.trim()
            .replace("&apos;", "'")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    svg.split("<text").skip(1).filter_map(|t| Some(unescape(t.split_once('>')?.1.split_once("</text>")?.0))).collect()
}

fn has_text(texts: &[String], wanted: &str) -> bool {
    texts.iter().any(|t| t.contains(wanted))
}

#[test]
fn a_chat_run_gets_an_availability_chart_with_the_runbook_and_the_loss() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run_folder(tmp.path(), CHAT, &[]);
    let drawn_by_the_run = charts_in(&dir);
    let written = draw_dir(&dir, ChartFormat::Png).unwrap();
    assert_eq!(names(&written), ["availability.png"]);
    assert_pngs_of_1600_by_900(&written);
    assert_eq!(charts_in(&dir), drawn_by_the_run, "drawing again gave different bytes");
    no_temporary_files_in(&dir);

    let svg = draw_dir(&dir, ChartFormat::Svg).unwrap();
    let texts = svg_texts(&svg[0]);
    // The runbook as a Gantt: every step by its short name, with the seed's command.
    for step in [
        "decide",
        "remove log shipping",
        "copy backups",
        "apply backups",
        "restore with recovery",
        "FailedOver",
        "active servers",
        "install mirror",
    ] {
        assert!(texts.iter().any(|t| t == step), "no runbook row `{step}` in {texts:?}");
    }
    assert!(has_text(&texts, "Install-CsMirrorDatabase") && has_text(&texts, "0 s · step 2"), "{texts:?}");
    // The fault is a data-centre loss, and what it cost is named with replication 0's figures.
    let row: Vec<String> =
        std::fs::read_to_string(dir.join("replications.csv")).unwrap().lines().map(String::from).collect();
    let header: Vec<&str> = row[0].split(',').collect();
    let values: Vec<&str> = row[1].split(',').collect();
    let value = |name: &str| values[header.iter().position(|h| *h == name).unwrap()];
    assert!(has_text(&texts, "data-centre loss") && !has_text(&texts, "crash"), "{texts:?}");
    assert!(has_text(&texts, "data centre lost 2:07:30"), "{texts:?}");
    assert!(has_text(&texts, &format!("← {} posts lost", value("posts_lost"))), "{texts:?}");
    assert!(has_text(&texts, "since the 2:00:00 log backup (rpo 7.5 min)"), "{texts:?}");
    assert!(has_text(&texts, &format!("← {} compliance records lost", value("compliance_records_lost"))));
    let minutes = |v: &str| v.parse::<f64>().unwrap() / 60.0;
    let outage = format!("outage (service down): {} min", fmt_minutes(minutes(value("outage_s"))));
    assert!(has_text(&texts, &outage) && has_text(&texts, "running unmirrored"), "{outage} in {texts:?}");
    assert!(has_text(&texts, "The failover, zoomed in: 1:58 to"), "{texts:?}");
}

#[test]
fn a_chat_trace_without_replications_csv_draws_from_its_events() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "events.csv",
        "replication,time_s,server,event,detail,cause,link,service,status,count\n\
         0,0,mgc_primary,initial_status,online_mirrored,,,,online_mirrored,\n\
         0,0,mgc_backup,initial_status,log_shipping,,,,log_shipping,\n\
         0,900,mgc_primary,log_backup,transaction log backup of 479 post(s),,,,,479\n\
         0,1300,mgc_primary,datacenter_down,primary data centre lost; 200 post(s) not in a log backup,,,,,200\n\
         0,2200,mgc_backup,runbook_decided,an administrator decides,,,,,\n\
         0,2500,mgc_backup,runbook_active_servers_set,step 7: Set-CsPersistentChatActiveServer,,,,,\n",
    );
    write(
        d,
        "status.csv",
        "replication,time_s,server,from,to,cause\n\
         0,1300,mgc_primary,online_mirrored,down,datacenter_down\n\
         0,2200,mgc_backup,log_shipping,failing_over,runbook_started\n\
         0,2500,mgc_backup,failing_over,online_unmirrored,failover_completed\n",
    );
    let written = draw_dir(d, ChartFormat::Png).unwrap();
    assert_eq!(names(&written), ["availability.png"]);
    assert_pngs_of_1600_by_900(&written);
    let texts = svg_texts(&draw_dir(d, ChartFormat::Svg).unwrap()[0]);
    assert!(has_text(&texts, "From the events:") && has_text(&texts, "← 200 posts lost"), "{texts:?}");
    assert!(has_text(&texts, "The run ends before the mirror is installed."), "{texts:?}");
}

#[test]
fn a_chat_compare_folder_gets_a_comparison_of_the_chat_metrics() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "s.yaml", CHAT);
    cli_ok(&["compare", "s.yaml", "--out", "cmp", "--quiet"], tmp.path());
    let dir = tmp.path().join("cmp");
    assert!(dir.join("comparison.png").is_file(), "compare drew no chart");
    assert_pngs_of_1600_by_900(&[dir.join("comparison.png")]);
    let texts = svg_texts(&draw_dir(&dir, ChartFormat::Svg).unwrap()[0]);
    assert!(has_text(&texts, "Strategies compared: log_shipping.backup_interval"), "{texts:?}");
    assert!(!has_text(&texts, "Port-allocation"), "{texts:?}");
    let panels = ["posts_lost", "rpo_s", "outage_s", "unmirrored_s", "compliance_records_lost", "availability"];
    let headings: Vec<&String> = texts.iter().filter(|t| panels.contains(&t.as_str())).collect();
    assert_eq!(headings, panels, "{texts:?}");
    // Strategies are named by their value, the key being in the title.
    for value in ["5m", "15m", "30m"] {
        assert!(texts.iter().any(|t| t == value), "no strategy `{value}` in {texts:?}");
    }
    assert!(!texts.iter().any(|t| t == "log_shipping.backup_interval=5m"), "{texts:?}");
}

#[test]
fn a_chat_sweep_folder_gets_a_sweep_chart_of_posts_lost_first() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "s.yaml", CHAT);
    let args = [
        "sweep",
        "s.yaml",
        "--set",
        "log_shipping.backup_interval=5m,15m",
        "--set",
        "runbook.decide=5m,15m",
        "--replications",
        "2",
        "--out",
        "sweep",
        "--quiet",
    ];
    cli_ok(&args, tmp.path());
    let dir = tmp.path().join("sweep");
    assert_pngs_of_1600_by_900(&[dir.join("sweep.png")]);
    let texts = svg_texts(&draw_dir(&dir, ChartFormat::Svg).unwrap()[0]);
    let panels: Vec<&String> =
        texts.iter().filter(|t| ["posts_lost", "outage_s", "rpo_s"].contains(&t.as_str())).collect();
    assert_eq!(panels, ["posts_lost", "outage_s", "rpo_s"], "{texts:?}");
}

#[test]
fn chart_dir_redraws_a_chat_folder_byte_for_byte_and_a_short_one_gets_no_distribution() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run_folder(tmp.path(), CHAT, &["--trace", "all"]);
    let drawn_by_the_run = charts_in(&dir);
    // Every replication traced, but the failure is the timeline's: a
    // six-hour chat run gets no distribution of its availability.
    let names: Vec<&str> = drawn_by_the_run.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["availability.png"]);
    let copy = tmp.path().join("copy");
    copy_data(&dir, &copy);
    let o = run_cli(&["chart", "copy"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let listed = ["availability.png", "report.html"].map(|f| Path::new("copy").join(f).to_string_lossy().into_owned());
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().collect::<Vec<_>>(), listed);
    assert_eq!(charts_in(&copy), drawn_by_the_run);
    // --quiet lists nothing and draws the same.
    let o = run_cli(&["chart", "copy", "--quiet"], tmp.path());
    assert!(o.status.success() && o.stdout.is_empty());
    assert_eq!(charts_in(&copy), drawn_by_the_run);
}

#[test]
fn a_voice_compare_of_the_presets_keeps_its_title() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/publisher-outage.yaml");
    cli_ok(&["compare", scenario, "--replications", "2", "--out", "cmp", "--quiet", "--no-charts"], tmp.path());
    let texts = svg_texts(&draw_dir(&tmp.path().join("cmp"), ChartFormat::Svg).unwrap()[0]);
    assert!(has_text(&texts, "Port-allocation strategies compared"), "{texts:?}");
    assert!(texts.iter().any(|t| t == "blocking_probability") && texts.iter().any(|t| t == "sip_trunk"));
}

/// Minutes as the charts print them: four significant digits, trailing zeros dropped.
fn fmt_minutes(m: f64) -> String {
    let decimals = (3 - m.abs().log10().floor() as i32).max(0) as usize;
    let text = format!("{m:.decimals$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
}
