//! Hostile input: what a careless script or a hostile file can feed
//! `validate` and `run` is refused with exit status 2 and one line naming the
//! file and the limit, writes nothing, never hangs and never balloons.
//!
//! No timing assertions: a child still running after a generous guard is
//! killed and the test fails as hung; memory is the child's own peak resident
//! size, read from `wait4`.

use crate::common::*;
use std::io::{Read, Write};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Peak resident memory any case may reach.
const MEMORY_LIMIT_KB: i64 = 100 * 1024;
/// Past this the child is killed and the test fails as hung (no timing
/// assertion: the cases take milliseconds).
const HANG_GUARD: Duration = Duration::from_secs(30);

struct Outcome {
    code: Option<i32>,
    stderr: String,
    peak_kb: i64,
}

/// Runs clustersim in `dir` and waits for that very child with `wait4`, for
/// its exit status and its own peak memory.
#[allow(clippy::zombie_processes, reason = "the child is reaped by wait4, which std does not see")]
fn run_measured(args: &[&str], dir: &Path) -> Outcome {
    let mut child = bin().args(args).current_dir(dir).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stderr_pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        stderr_pipe.read_to_string(&mut text).ok();
        text
    });
    let pid = child.id() as libc::pid_t;
    let started = Instant::now();
    let (status, usage) = loop {
        let mut status = 0;
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `status` and `usage` are valid for writes; `pid` is our child.
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(reaped >= 0, "wait4 failed: {}", std::io::Error::last_os_error());
        if reaped == pid {
            break (status, usage);
        }
        if started.elapsed() > HANG_GUARD {
            child.kill().ok();
            child.wait().ok();
            panic!("hung: clustersim {args:?} still running after {HANG_GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    // ru_maxrss is in kilobytes on Linux.
    assert!(usage.ru_maxrss > 0, "wait4 gave no memory figure");
    Outcome { code, stderr: reader.join().unwrap(), peak_kb: usage.ru_maxrss }
}

/// `validate FILE` and `run FILE` on `file` (as given, relative to `dir`):
/// exit 2, one line naming the file and each of `limit_words`, nothing
/// written, under the memory limit.
fn refused(dir: &Path, file: &str, limit_words: &[&str]) {
    let before = listing(dir);
    for args in [vec!["validate", file], vec!["run", file, "--out", "out", "--quiet"]] {
        let o = run_measured(&args, dir);
        let what = format!("clustersim {args:?}: {}", o.stderr);
        assert_eq!(o.code, Some(2), "{what}");
        assert_eq!(o.stderr.lines().count(), 1, "one line expected: {what}");
        assert!(o.stderr.starts_with(&format!("error: {file}")), "{what}");
        for words in limit_words {
            assert!(o.stderr.contains(words), "expected {words:?}: {what}");
        }
        assert!(!o.stderr.contains("panicked"), "{what}");
        assert!(o.peak_kb < MEMORY_LIMIT_KB, "peak memory {} KB: {what}", o.peak_kb);
        assert_eq!(listing(dir), before, "something was written: {what}");
    }
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// `a: [[[…]]]`, `levels` deep.
fn nested(levels: usize) -> String {
    format!("duration: 1h\na: {}{}\n", "[".repeat(levels), "]".repeat(levels))
}

#[test]
fn deep_nesting_is_refused_at_the_limit_in_linear_time() {
    let tmp = tempfile::tempdir().unwrap();
    for levels in [20_000, 40_000, 60_000, 100_000] {
        let name = format!("nest{}k.yaml", levels / 1000);
        write(tmp.path(), &name, &nested(levels));
        refused(tmp.path(), &name, &["deeper than 32 levels"]);
    }
    // Deep block nesting, one `- ` per level, the same.
    write(tmp.path(), "dashes.yaml", &format!("duration: 1h\na:\n  {}x\n", "- ".repeat(100_000)));
    refused(tmp.path(), "dashes.yaml", &["deeper than 32 levels"]);
}

#[test]
fn endless_devices_are_refused_at_the_size_cap() {
    let tmp = tempfile::tempdir().unwrap();
    for device in ["/dev/zero", "/dev/urandom"] {
        if Path::new(device).exists() {
            refused(tmp.path(), device, &["larger than 4 MiB"]);
        }
    }
}

#[test]
fn a_pipe_that_never_ends_is_refused_at_the_size_cap() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("endless.yaml");
    let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid C string.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0, "mkfifo");
    // A writer that feeds scenario-looking text until the reader goes away
    // (`validate`, then `run`: two readers).
    let writer = std::thread::spawn(move || {
        for _ in 0..2 {
            let Ok(mut w) = std::fs::OpenOptions::new().write(true).open(&fifo) else { return };
            let line = "  - {at: 1m, crash: publisher}\n".repeat(1000);
            while w.write_all(line.as_bytes()).is_ok() {}
        }
    });
    refused(tmp.path(), "endless.yaml", &["larger than 4 MiB"]);
    writer.join().unwrap();
}

#[test]
fn a_huge_timeline_is_refused_at_the_size_cap() {
    // 200,000 timeline entries, 9.8 MB.
    let tmp = tempfile::tempdir().unwrap();
    let entries = "  - {at: 30m, crash: publisher, for: 1m}   # padding\n".repeat(200_000);
    write(tmp.path(), "big.yaml", &format!("duration: 1h\nfailures:\n{entries}"));
    refused(tmp.path(), "big.yaml", &["larger than 4 MiB (4194304 bytes)"]);
}

#[test]
fn a_file_just_under_the_cap_is_refused_at_the_node_limit() {
    // 130,000 entries of 30 bytes: 3.9 MB, 650,000 YAML nodes.
    let tmp = tempfile::tempdir().unwrap();
    let entries = "  - {at: 30m, crash: publisher}\n".repeat(130_000);
    write(tmp.path(), "dense.yaml", &format!("duration: 1h\nfailures:\n{entries}"));
    refused(tmp.path(), "dense.yaml", &["more than 200000 YAML nodes", "every"]);
}

#[test]
fn the_largest_scenario_within_the_limits_is_read_in_bounded_memory() {
    // 39,990 timeline entries: 199,955 nodes, just within the node limit;
    // the last entry is after the end, so the error is located in the text.
    let tmp = tempfile::tempdir().unwrap();
    let entries = "  - {at: 30m, crash: publisher}\n".repeat(39_990);
    write(tmp.path(), "long.yaml", &format!("duration: 1h\nfailures:\n{entries}  - {{at: 2h, crash: publisher}}\n"));
    let o = run_measured(&["validate", "long.yaml"], tmp.path());
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.starts_with("error: long.yaml:39993:6: `failures[39990].at`"), "{}", o.stderr);
    assert!(o.peak_kb < MEMORY_LIMIT_KB, "peak memory {} KB", o.peak_kb);
}

#[test]
fn an_alias_bomb_is_refused_and_named() {
    // Nine anchors of nine aliases each: 9^9 nodes from 400 bytes.
    let tmp = tempfile::tempdir().unwrap();
    let mut text = "duration: 1h\na0: &a0 [x, x, x, x, x, x, x, x, x]\n".to_string();
    for i in 1..10 {
        text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); 9].join(", ")));
    }
    write(tmp.path(), "bomb.yaml", &text);
    refused(tmp.path(), "bomb.yaml", &["aliases that expand to more than 200000", "(&a / *a) may not multiply"]);
    // One anchor of 1,000 items aliased 1,000 times: a million nodes.
    let wide = format!("duration: 1h\nx: &x [{}]\ny: [{}]\n", vec!["1"; 1000].join(","), vec!["*x"; 1000].join(","));
    write(tmp.path(), "wide.yaml", &wide);
    refused(tmp.path(), "wide.yaml", &["aliases that expand to more than 200000"]);
}
