//! Shards: one run split over machines. Shard K of N runs a contiguous range
//! of the replication indices; `merge` joins the shards' files into exactly
//! the files a single run writes, because each replication depends only on
//! (scenario, master seed, index) and files list replications in index order.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The format of `shard.json` this version writes and reads. 2: the files
/// of the shard are recorded with their rows and SHA-256.
pub const SHARD_FORMAT: u32 = 2;

/// `--shard K/N`: the K-th of N shards, K counted from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let (k, n) = s.split_once('/').ok_or("expected K/N, e.g. 0/4 for the first of four shards")?;
        let index: u64 = k.trim().parse().map_err(|_| format!("`{k}` is not a shard number"))?;
        let count: u64 = n.trim().parse().map_err(|_| format!("`{n}` is not a number of shards"))?;
        if count == 0 {
            return Err("N must be at least 1 (0/1 is the whole run)".into());
        }
        if index >= count {
            return Err(format!("shard {index}/{count}: K must be 0 to N-1 (shards are counted from 0)"));
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// The replication indices of this shard: `(first, count)`.
    pub fn range(&self, replications: u64) -> (u64, u64) {
        let start = |k: u64| (k as u128 * replications as u128 / self.count as u128) as u64;
        let first = start(self.index);
        (first, start(self.index + 1) - first)
    }
}

/// What a shard folder records about the run it belongs to (`shard.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardInfo {
    /// [`SHARD_FORMAT`] when written.
    pub format: u32,
    pub scenario_name: String,
    pub seed: u64,
    pub replications: u64,
    pub shard: Shard,
    pub duration_us: u64,
    pub warmup_us: u64,
    pub trace: String,
    /// The whole scenario, so shards of different scenarios are never merged.
    pub scenario: serde_json::Value,
    /// Every data file the shard wrote, by name, as written: `merge` checks
    /// them before it writes anything, so a file changed, truncated or
    /// swapped after the run is never merged.
    pub files: BTreeMap<String, FileCheck>,
}

/// A file as it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileCheck {
    /// Rows after the header line (CSV files) or lines (other files).
    pub rows: u64,
    pub bytes: u64,
    /// SHA-256 of the bytes, in hex: what `sha256sum` prints.
    pub sha256: String,
}

impl ShardInfo {
    /// What `shard` of the `replications` of `spec`'s whole run records
    /// about it; its files are listed once they are all written.
    pub fn of(spec: &super::RunSpec, replications: u64, shard: Shard) -> ShardInfo {
        let (duration, warmup) = spec.scenario.duration_and_warmup();
        ShardInfo {
            format: SHARD_FORMAT,
            scenario_name: spec.scenario.name().to_string(),
            seed: spec.seed,
            replications,
            shard,
            duration_us: duration.micros(),
            warmup_us: warmup.micros(),
            trace: spec.trace.as_str().into(),
            scenario: spec.scenario.to_json(),
            files: BTreeMap::new(),
        }
    }

    /// The kind of model the shard's scenario runs.
    pub fn kind(&self) -> crate::model::Kind {
        let kind = self.scenario.get("kind").and_then(|k| k.as_str());
        kind.and_then(crate::model::Kind::parse).unwrap_or(crate::model::Kind::VoiceMessaging)
    }

    /// The shard's scenario, read back from its JSON.
    pub fn scenario(&self) -> Result<crate::scenario::Scenario, String> {
        crate::scenario::Scenario::from_json(&self.scenario)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_replication_once() {
        for (reps, n) in [(10, 3), (1000, 7), (5, 5), (3, 8)] {
            let mut next = 0;
            for k in 0..n {
                let (first, count) = Shard { index: k, count: n }.range(reps);
                assert_eq!(first, next);
                next += count;
            }
            assert_eq!(next, reps);
        }
        assert_eq!("1/4".parse::<Shard>().unwrap(), Shard { index: 1, count: 4 });
        assert!("4/4".parse::<Shard>().unwrap_err().contains("K must be 0 to N-1"));
        assert!("0/0".parse::<Shard>().unwrap_err().contains("N must be at least 1"));
        assert!("x".parse::<Shard>().is_err());
    }
}
