//! `merge`: shard folders back into the files of a single run.

use super::traces::{FILES, concat};
use crate::experiment::shard::ShardInfo;
use crate::experiment::{Replication, RunOutput};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

use super::InputError;

fn invalid(message: String) -> anyhow::Error {
    InputError(message).into()
}

/// A shard folder and what it says about itself.
struct ShardDir {
    path: PathBuf,
    info: ShardInfo,
}

fn read_info(dir: &Path) -> Result<ShardInfo> {
    let path = dir.join("shard.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| invalid(format!("{} is not a shard folder: cannot read shard.json ({e})", dir.display())))?;
    serde_json::from_str(&text).map_err(|e| invalid(format!("{}: not a valid shard.json ({e})", path.display())))
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

fn read_replications(dir: &Path, metric_names: &mut Vec<String>) -> Result<Vec<Replication>> {
    let path = dir.join("replications.csv");
    let mut r = csv::Reader::from_path(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let header: Vec<String> = r.headers()?.iter().map(str::to_string).collect();
    let names = header.get(2..).unwrap_or_default().to_vec();
    if metric_names.is_empty() {
        *metric_names = names;
    } else if *metric_names != names {
        return Err(invalid(format!("{}: its metrics differ from the other shards'", path.display())));
    }
    let bad = |what: &str| invalid(format!("{}: {what}", path.display()));
    r.records()
        .map(|record| {
            let record = record?;
            let number = |i: usize| record.get(i).ok_or_else(|| bad("a row is short"));
            Ok(Replication {
                index: number(0)?.parse().map_err(|_| bad("bad replication index"))?,
                seed: number(1)?.parse().map_err(|_| bad("bad seed"))?,
                values: (2..record.len())
                    .map(|i| number(i)?.parse::<f64>().map_err(|_| bad("bad metric value")))
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

/// Reads the shards in `dirs` and writes the merged trace files into `out`.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<Merged> {
    let shards = read_shards(dirs)?;
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
        Ok(RunOutput { metric_names, replications: self.replications.clone() })
    }
}
