//! Results folders are replaced whole or not at all.
//!
//! A run writes its files into a hidden sibling folder; when every file is
//! complete, [`Staging::commit`] moves the old folder aside, renames the new one
//! into place and deletes the old one. An interrupted run leaves the previous
//! results untouched (and its staging folder is removed on drop). A folder that
//! exists but was not written by clustersim is never replaced.

use super::InputError;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// Marks a folder as clustersim's, so that it may be replaced.
pub const MARKER: &str = ".clustersim";

pub struct Staging {
    target: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

fn sibling(target: &Path, tag: &str) -> Result<PathBuf> {
    let name =
        target.file_name().with_context(|| format!("{} does not name a folder", target.display()))?.to_string_lossy();
    Ok(target.with_file_name(format!(".{name}.{tag}-{}", std::process::id())))
}

impl Staging {
    /// Prepares to write the results folder `target`.
    pub fn new(target: &Path) -> Result<Staging> {
        let target = if target.as_os_str().is_empty() { Path::new(".") } else { target };
        let target = std::path::absolute(target).with_context(|| format!("cannot resolve {}", target.display()))?;
        if target.exists() {
            let ours = target.join(MARKER).exists();
            let empty = target.read_dir().map(|mut d| d.next().is_none()).unwrap_or(false);
            if !target.is_dir() {
                return Err(InputError(format!(
                    "{} exists and is not a folder; choose another --out",
                    target.display()
                ))
                .into());
            }
            if !ours && !empty {
                return Err(InputError(format!(
                    "{} exists and was not written by clustersim; choose another --out (it would be replaced)",
                    target.display()
                ))
                .into());
            }
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let tmp = sibling(&target, "partial")?;
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).with_context(|| format!("cannot clear {}", tmp.display()))?;
        }
        std::fs::create_dir(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        std::fs::write(tmp.join(MARKER), "written by clustersim; this folder is replaced whole on the next run\n")
            .with_context(|| format!("cannot write in {}", tmp.display()))?;
        Ok(Staging { target, tmp, committed: false })
    }

    /// The path of `file` in the staging folder.
    pub fn path(&self, file: &str) -> PathBuf {
        self.tmp.join(file)
    }

    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Puts the staged folder in place of the target.
    pub fn commit(mut self) -> Result<PathBuf> {
        let old = sibling(&self.target, "old")?;
        let had_old = self.target.exists();
        if had_old {
            if old.exists() {
                std::fs::remove_dir_all(&old).ok();
            }
            std::fs::rename(&self.target, &old)
                .with_context(|| format!("cannot move the old {} aside", self.target.display()))?;
        }
        if let Err(e) = std::fs::rename(&self.tmp, &self.target) {
            if had_old {
                std::fs::rename(&old, &self.target).ok();
            }
            return Err(e).with_context(|| format!("cannot move results into {}", self.target.display()));
        }
        self.committed = true;
        if had_old {
            std::fs::remove_dir_all(&old).ok();
        }
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            std::fs::remove_dir_all(&self.tmp).ok();
        }
    }
}
