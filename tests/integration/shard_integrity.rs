//! Shards check themselves: `shard.json` records each data file's rows and
//! SHA-256, and `merge` refuses a shard changed after it was written — one
//! line naming the file, exit status 2, nothing written.

use crate::common::*;
use std::path::Path;

const BUSY: &str = "\
name: busy
duration: 6h
replications: 10
seed: 4
traffic: {calls_per_hour: 300}
failures:
  - {at: 1h, crash: publisher, for: 20m}
";

/// Two shards of five replications each, every replication traced, in
/// `s0` and `s1`, and a single run in `single`.
fn shards(d: &Path) {
    write(d, "busy.yaml", BUSY);
    for k in 0..2 {
        let (out, shard) = (format!("s{k}"), format!("{k}/2"));
        let args = ["run", "busy.yaml", "--out", &out, "--shard", &shard, "--trace", "all", "--quiet", "--no-charts"];
        let o = run_cli(&args, d);
        assert!(o.status.success(), "{}", stderr(&o));
    }
}

/// `merge s0 s1 --out merged` fails cleanly; returns the error line.
fn merge_refused(d: &Path, extra: &[&str]) -> String {
    let before: Vec<_> = ["s0", "s1"].iter().map(|s| files(&d.join(s))).collect();
    let mut args = vec!["merge", "s0", "s1", "--out", "merged", "--no-charts"];
    args.extend(extra);
    let o = run_cli(&args, d);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(!d.join("merged").exists(), "merged written: {err}");
    let stray: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(stray.is_empty(), "left behind: {stray:?}");
    let after: Vec<_> = ["s0", "s1"].iter().map(|s| files(&d.join(s))).collect();
    assert!(before == after, "a shard was touched: {err}");
    err
}

fn rows(path: &Path) -> usize {
    std::fs::read_to_string(path).unwrap().lines().count() - 1
}

/// Runs `tamper` on fresh shards, then expects `merge` to refuse with `words`.
fn tampered(tamper: impl Fn(&Path), words: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    shards(d);
    tamper(d);
    let err = merge_refused(d, &[]);
    for w in words {
        assert!(err.contains(w), "expected {w:?} in: {err}");
    }
    err
}

const CHANGED: &str = "the shard was changed or truncated after it was written";

#[test]
fn shard_json_records_every_data_file_and_untouched_shards_merge_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    shards(d);
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("s1/shard.json")).unwrap()).unwrap();
    assert_eq!(info["format"], 2);
    let recorded: Vec<&String> = info["files"].as_object().unwrap().keys().collect();
    assert_eq!(recorded, ["events.csv", "load.csv", "replications.csv", "status.csv", "summary.json"]);
    // Rows as a reader counts them, independently of the writer.
    let events = &info["files"]["events.csv"];
    assert_eq!(events["rows"], rows(&d.join("s1/events.csv")) as u64);
    assert_eq!(events["bytes"], std::fs::metadata(d.join("s1/events.csv")).unwrap().len());
    assert_eq!(info["files"]["replications.csv"]["rows"], 5);
    // The same digest `sha256sum` prints, where it is installed.
    if let Ok(o) = std::process::Command::new("sha256sum").arg(d.join("s1/events.csv")).output() {
        let printed = String::from_utf8_lossy(&o.stdout);
        assert_eq!(printed.split_whitespace().next(), events["sha256"].as_str(), "{printed}");
    }
    let o = run_cli(&["run", "busy.yaml", "--out", "single", "--trace", "all", "--quiet", "--no-charts"], d);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run_cli(&["merge", "s0", "s1", "--out", "merged", "--no-charts", "--quiet"], d);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(files(&d.join("single")), files(&d.join("merged")));
}

#[test]
fn merge_refuses_an_events_file_cut_short_emptied_or_swapped() {
    tampered(
        |d| {
            let path = d.join("s1/events.csv");
            let bytes = std::fs::read(&path).unwrap();
            std::fs::write(&path, &bytes[..300]).unwrap();
        },
        &["s1/events.csv: ", "rows where shard.json records", CHANGED],
    );
    tampered(|d| std::fs::write(d.join("s1/events.csv"), "").unwrap(), &["s1/events.csv: 0 rows where", CHANGED]);
    tampered(
        |d| std::fs::copy(d.join("s0/events.csv"), d.join("s1/events.csv")).map(|_| ()).unwrap(),
        &["s1/events.csv: ", CHANGED],
    );
}

#[test]
fn merge_refuses_a_replications_file_edited_deleted_or_truncated() {
    // One value edited, same length: only the digest tells.
    let err = tampered(
        |d| {
            let path = d.join("s0/replications.csv");
            let text = std::fs::read_to_string(&path).unwrap();
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            let last = lines[2].pop().unwrap();
            lines[2].push(if last == '1' { '2' } else { '1' });
            std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        },
        &["s0/replications.csv: its content differs from what shard.json records (SHA-256)", CHANGED],
    );
    assert!(!err.contains("rows where"), "{err}");
    tampered(
        |d| std::fs::remove_file(d.join("s1/replications.csv")).unwrap(),
        &["s1/replications.csv is missing; shard.json records it (5 rows)"],
    );
    tampered(
        |d| {
            let path = d.join("s1/replications.csv");
            let bytes = std::fs::read(&path).unwrap();
            std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        },
        &["s1/replications.csv: ", "rows where shard.json records 5", CHANGED],
    );
    tampered(
        |d| drop(write(&d.join("s1"), "extra.csv", "a\n1\n")),
        &["s1/extra.csv is not recorded in shard.json; it was added after the shard was written"],
    );
}

#[test]
fn merge_refuses_a_shard_json_of_another_version_or_shape() {
    let edit = |change: fn(&mut serde_json::Map<String, serde_json::Value>)| {
        move |d: &Path| {
            let path = d.join("s1/shard.json");
            let mut info: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            change(info.as_object_mut().unwrap());
            std::fs::write(&path, serde_json::to_string_pretty(&info).unwrap()).unwrap();
        }
    };
    let not_ours = "it was not written by this version of clustersim (or was edited): run the shard again";
    tampered(edit(|m| drop(m.remove("format"))), &["s1/shard.json: no format number", not_ours]);
    tampered(
        edit(|m| drop(m.insert("format".into(), 1.into()))),
        &["s1/shard.json: format 1, where this version reads 2", not_ours],
    );
    tampered(edit(|m| drop(m.remove("files"))), &["s1/shard.json: missing field `files`", not_ours]);
    tampered(edit(|m| drop(m.insert("extra".into(), 1.into()))), &["s1/shard.json: unknown field `extra`", not_ours]);
    tampered(|d| drop(write(&d.join("s1"), "shard.json", "{\"format\": 2,")), &["s1/shard.json: not JSON"]);
}

#[test]
fn merge_refuses_an_out_folder_that_is_or_holds_one_of_its_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    shards(d);
    let before = files(&d.join("s1"));
    for out in ["s1", "./s0/../s1", "."] {
        let o = run_cli(&["merge", "s0", "s1", "--out", out, "--no-charts"], d);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "--out {out}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(&format!("--out {out} ")) && err.contains("which the merge would replace"), "{err}");
    }
    assert_eq!(files(&d.join("s1")), before);
}
