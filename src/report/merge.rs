//! `merge`: shard folders back into the files of a single run, and the
//! `shard.json` that makes each shard folder self-checking.
//!
//! A shard folder travels (copied off a cluster node, kept for weeks) before it
//! is merged; a file cut short by a full disk, emptied, edited or copied from
//! another shard would otherwise be merged into plausible-looking results.
//! `shard.json` records each data file's rows and SHA-256 as written, and
//! `merge` checks every shard against it before it writes anything.

use super::InputError;
use super::traces::{FILES, concat};
use crate::experiment::shard::{FileCheck, SHARD_FORMAT, ShardInfo};
use crate::experiment::{Replication, RunOutput};
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The name of a shard's own description.
pub const SHARD_JSON: &str = "shard.json";

/// The most `shard.json` may hold: it carries the whole scenario, which is at
/// most a few megabytes of YAML.
const MAX_SHARD_JSON_BYTES: u64 = 64 * 1024 * 1024;

fn invalid(message: String) -> anyhow::Error {
    InputError(message).into()
}

/// Whether `name` is one of the data files a shard records: its CSV and JSON
/// files, but not `shard.json` itself, hidden files or charts.
fn is_data_file(name: &str) -> bool {
    name != SHARD_JSON && !name.starts_with('.') && (name.ends_with(".csv") || name.ends_with(".json"))
}

/// The rows, size and SHA-256 of the file at `path`, read once. SHA-256
/// (the `sha2` crate, RustCrypto's pure-Rust implementation) is the digest a
/// user can check by hand with `sha256sum`; collisions are of no concern
/// here, only accidents and edits.
pub fn check_file(path: &Path) -> std::io::Result<FileCheck> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let (mut bytes, mut breaks, mut last) = (0u64, 0u64, b'\n');
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        let chunk = &buffer[..n];
        hasher.update(chunk);
        bytes += n as u64;
        breaks += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        last = chunk[n - 1];
    }
    let lines = breaks + u64::from(last != b'\n');
    let is_csv = path.extension().is_some_and(|e| e == "csv");
    let rows = if is_csv { lines.saturating_sub(1) } else { lines };
    let sha256 = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok(FileCheck { rows, bytes, sha256 })
}

/// The checks of every data file in the shard folder `dir`.
pub fn file_checks(dir: &Path) -> Result<BTreeMap<String, FileCheck>> {
    let mut checks = BTreeMap::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_data_file(&name) {
            let path = entry.path();
            checks.insert(name, check_file(&path).with_context(|| format!("cannot read {}", path.display()))?);
        }
    }
    Ok(checks)
}

/// Writes `info` as the shard folder's `shard.json`.
pub fn write_shard_json(path: &Path, info: &ShardInfo) -> Result<()> {
    let text = serde_json::to_string_pretty(info).context("cannot describe the shard")? + "\n";
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Seals the shard folder `dir`: its `shard.json` is `info` with every data
/// file of the folder recorded as it now is. Written last, so that it
/// records every file the shard holds.
pub fn seal_shard(dir: &Path, info: ShardInfo) -> Result<()> {
    let info = ShardInfo { files: file_checks(dir)?, ..info };
    write_shard_json(&dir.join(SHARD_JSON), &info)
}

/// A shard folder and what it says about itself.
struct ShardDir {
    path: PathBuf,
    info: ShardInfo,
}

fn read_info(dir: &Path) -> Result<ShardInfo> {
    let path = dir.join(SHARD_JSON);
    let mut text = String::new();
    std::fs::File::open(&path)
        .and_then(|f| f.take(MAX_SHARD_JSON_BYTES + 1).read_to_string(&mut text))
        .map_err(|e| invalid(format!("{} is not a shard folder: cannot read {SHARD_JSON} ({e})", dir.display())))?;
    if text.len() as u64 > MAX_SHARD_JSON_BYTES {
        return Err(invalid(format!("{}: larger than any {SHARD_JSON} clustersim writes", path.display())));
    }
    let not_ours = |why: String| {
        invalid(format!(
            "{}: {why}; it was not written by this version of clustersim (or was edited): run the shard again",
            path.display()
        ))
    };
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| not_ours(format!("not JSON ({})", json_words(&e))))?;
    match value.get("format").and_then(serde_json::Value::as_u64) {
        Some(format) if format == SHARD_FORMAT as u64 => {}
        Some(format) => return Err(not_ours(format!("format {format}, where this version reads {SHARD_FORMAT}"))),
        None => return Err(not_ours(format!("no format number, where this version reads format {SHARD_FORMAT}"))),
    }
    serde_json::from_value(value).map_err(|e| not_ours(json_words(&e)))
}

/// serde_json's message without its position (a whole `shard.json` is at fault).
fn json_words(e: &serde_json::Error) -> String {
    let text = e.to_string();
    text.split(" at line ").next().unwrap_or(&text).to_string()
}

/// Reads and checks the shards: one run, every shard exactly once.
fn read_shards(dirs: &[PathBuf]) -> Result<Vec<ShardDir>> {
    let mut shards: Vec<ShardDir> =
        dirs.iter().map(|d| Ok(ShardDir { path: d.clone(), info: read_info(d)? })).collect::<Result<_>>()?;
    shards.sort_by_key(|s| s.info.shard.index);
    let first = &shards[0].info;
    for s in &shards {
        let i = &s.info;
        let same = i.scenario_name == first.scenario_name
            && i.seed == first.seed
            && i.replications == first.replications
            && i.shard.count == first.shard.count
            && i.trace == first.trace
            && i.scenario == first.scenario;
        if !same {
            return Err(invalid(format!(
                "{} belongs to another run than {} (scenario, seed, replications, trace or shard count differ)",
                s.path.display(),
                shards[0].path.display()
            )));
        }
    }
    let indices: Vec<u64> = shards.iter().map(|s| s.info.shard.index).collect();
    let expected: Vec<u64> = (0..first.shard.count).collect();
    if indices != expected {
        return Err(invalid(format!(
            "merge needs each of the {} shards exactly once; got shards {indices:?}",
            first.shard.count
        )));
    }
    Ok(shards)
}

/// Checks a shard's files against its `shard.json`: each recorded file is
/// there, with the rows, size and content recorded, and no data file was added.
fn verify(shard: &ShardDir) -> Result<()> {
    let changed = "the shard was changed or truncated after it was written";
    for (name, recorded) in &shard.info.files {
        if !is_data_file(name) || name.contains(['/', '\\']) {
            return Err(invalid(format!(
                "{}: records `{name}`, which is not a data file of a shard",
                shard.path.join(SHARD_JSON).display()
            )));
        }
        let path = shard.path.join(name);
        let what =
            |unit: &str, n: u64| if name.ends_with(".csv") { format!("{n} {unit}") } else { format!("{n} lines") };
        let actual = match check_file(&path) {
            Ok(actual) => actual,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(invalid(format!(
                    "{} is missing; {SHARD_JSON} records it ({}); it was removed after the shard was written",
                    path.display(),
                    what("rows", recorded.rows)
                )));
            }
            Err(e) => return Err(invalid(format!("{} cannot be read ({e})", path.display()))),
        };
        let problem = if actual.rows != recorded.rows {
            Some(format!("{} where {SHARD_JSON} records {}", what("rows", actual.rows), recorded.rows))
        } else if actual.bytes != recorded.bytes {
            Some(format!("{} bytes where {SHARD_JSON} records {}", actual.bytes, recorded.bytes))
        } else if actual.sha256 != recorded.sha256 {
            Some(format!("its content differs from what {SHARD_JSON} records (SHA-256)"))
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(invalid(format!("{}: {problem}; {changed}", path.display())));
        }
    }
    for entry in std::fs::read_dir(&shard.path).with_context(|| format!("cannot read {}", shard.path.display()))? {
        let name = entry.with_context(|| format!("cannot read {}", shard.path.display()))?.file_name();
        let name = name.to_string_lossy();
        if is_data_file(&name) && !shard.info.files.contains_key(name.as_ref()) {
            return Err(invalid(format!(
                "{} is not recorded in {SHARD_JSON}; it was added after the shard was written",
                shard.path.join(name.as_ref()).display()
            )));
        }
    }
    Ok(())
}

fn read_replications(dir: &Path, metric_names: &mut Vec<String>) -> Result<Vec<Replication>> {
    let path = dir.join("replications.csv");
    let bad = |what: String| invalid(format!("{}: {what}", path.display()));
    let mut r = csv::Reader::from_path(&path).map_err(|e| bad(format!("cannot be read ({e})")))?;
    let header: Vec<String> = r.headers().map_err(|e| bad(e.to_string()))?.iter().map(str::to_string).collect();
    let names = header.get(2..).unwrap_or_default().to_vec();
    if metric_names.is_empty() {
        *metric_names = names;
    } else if *metric_names != names {
        return Err(bad("its metrics differ from the other shards'".into()));
    }
    r.records()
        .map(|record| {
            let record = record.map_err(|e| bad(e.to_string()))?;
            let number = |i: usize| record.get(i).ok_or_else(|| bad("a row is short".into()));
            Ok(Replication {
                index: number(0)?.parse().map_err(|_| bad("bad replication index".into()))?,
                seed: number(1)?.parse().map_err(|_| bad("bad seed".into()))?,
                values: (2..record.len())
                    .map(|i| number(i)?.parse::<f64>().map_err(|_| bad("bad metric value".into())))
                    .collect::<Result<_>>()?,
            })
        })
        .collect()
}

/// The merged run: its info (of the whole run) and its replications.
pub struct Merged {
    pub info: ShardInfo,
    pub names: Vec<String>,
    pub replications: Vec<Replication>,
}

/// Reads and checks the shards in `dirs`, then writes the merged trace files
/// into `out`. Nothing is written unless every shard checks out.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<Merged> {
    let shards = read_shards(dirs)?;
    for s in &shards {
        verify(s)?;
    }
    let mut names = vec![];
    let mut replications = vec![];
    for s in &shards {
        replications.extend(read_replications(&s.path, &mut names)?);
    }
    let info = shards[0].info.clone();
    let indices: Vec<u64> = replications.iter().map(|r| r.index).collect();
    if indices != (0..info.replications).collect::<Vec<_>>() {
        return Err(invalid("the shards' replications are not 0, 1, 2, ... of one run".into()));
    }
    if info.trace != "none" {
        for (file, header, _) in FILES {
            let inputs: Vec<PathBuf> = shards.iter().map(|s| s.path.join(file)).collect();
            if inputs.iter().all(|p| !p.exists()) {
                continue; // a kind of model that does not write this file
            }
            if let Some(missing) = inputs.iter().find(|p| !p.exists()) {
                return Err(invalid(format!("{} is missing", missing.display())));
            }
            concat(&out.join(file), header, &inputs.iter().collect::<Vec<_>>(), true)?;
        }
    }
    Ok(Merged { info, names, replications })
}

impl Merged {
    /// The merged results as a run's output (names must be known metrics).
    pub fn output(&self, known: &[&'static str]) -> Result<RunOutput> {
        let metric_names = self
            .names
            .iter()
            .map(|n| known.iter().find(|k| *k == n).copied().ok_or_else(|| invalid(format!("unknown metric `{n}`"))))
            .collect::<Result<_>>()?;
        Ok(RunOutput { metric_names, replications: self.replications.clone(), stopped: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_check_counts_rows_after_the_header_and_hashes_like_sha256sum() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("t.csv");
        std::fs::write(&csv, "a,b\n1,2\n3,4\n").unwrap();
        let check = check_file(&csv).unwrap();
        assert_eq!((check.rows, check.bytes), (2, 12));
        // `printf 'a,b\n1,2\n3,4\n' | sha256sum`
        assert_eq!(check.sha256, "b9485148546419a0f6a85e8d708c923557c15d7f3c7d078ef1fa7f7c0f57d5a5");
        // A last line without its break still counts.
        std::fs::write(&csv, "a,b\n1,2\n3,").unwrap();
        assert_eq!(check_file(&csv).unwrap().rows, 2);
        std::fs::write(&csv, "").unwrap();
        assert_eq!(check_file(&csv).unwrap().rows, 0);
        let json = dir.path().join("t.json");
        std::fs::write(&json, "{\n}\n").unwrap();
        assert_eq!(check_file(&json).unwrap().rows, 2);
    }
}
