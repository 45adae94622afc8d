//! `status.csv`, `events.csv` and `load.csv`. Traced replications finish in
//! any order on any thread; each is spooled to its own hidden files in the
//! staging folder as soon as it ends (memory stays flat with `--trace all`),
//! and the spools are joined in replication order at the end.

use super::cannot_write;
use super::rows::{EventRow, LoadRow, StatusRow};
use crate::model::trace::Trace;
use anyhow::{Context, Result};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The three trace files, their headers (the serde field names of their
/// rows, checked by a test), and the spool suffix of each.
pub const FILES: [(&str, &str, &str); 3] = [
    ("status.csv", "replication,time_s,server,from,to,cause", "status"),
    ("events.csv", "replication,time_s,server,event,detail,cause,link,service,status,count", "events"),
    (
        "load.csv",
        "replication,start_s,width_s,publisher_peak,subscriber_peak,blocked,dropped,mailbox_unavailable",
        "load",
    ),
];

/// Spools traces into `dir`.
pub struct Spool {
    dir: PathBuf,
}

fn spool_path(dir: &Path, index: u64, suffix: &str) -> PathBuf {
    dir.join(format!(".spool-{index:020}.{suffix}"))
}

impl Spool {
    pub fn new(dir: &Path) -> Spool {
        Spool { dir: dir.to_path_buf() }
    }

    /// Writes replication `index`'s trace to its spool files.
    pub fn write(&self, index: u64, trace: Trace) -> Result<(), String> {
        self.write_files(index, &trace).map_err(|e| format!("{e:#}"))
    }

    fn write_files(&self, index: u64, trace: &Trace) -> Result<()> {
        let no_header = |suffix: &str| -> Result<(csv::Writer<File>, PathBuf)> {
            let path = spool_path(&self.dir, index, suffix);
            let file = File::create(&path).with_context(cannot_write(&path))?;
            Ok((csv::WriterBuilder::new().has_headers(false).from_writer(file), path))
        };
        let (mut status, path) = no_header("status")?;
        for row in &trace.statuses {
            status.serialize(StatusRow::of(index, row)).with_context(cannot_write(&path))?;
        }
        status.flush().with_context(cannot_write(&path))?;
        let (mut events, path) = no_header("events")?;
        for row in &trace.events {
            events.serialize(EventRow::of(index, row)).with_context(cannot_write(&path))?;
        }
        events.flush().with_context(cannot_write(&path))?;
        let Some(load) = &trace.load else {
            return Ok(()); // a model without calls has no load to write
        };
        let (mut rows, path) = no_header("load")?;
        for bin in &load.bins {
            rows.serialize(LoadRow::of(index, load.bin_width, bin)).with_context(cannot_write(&path))?;
        }
        rows.flush().with_context(cannot_write(&path))
    }

    /// Joins the spools into the trace files, in replication order, and
    /// removes them. `load.csv` is written only for models with calls.
    pub fn finish(self, with_load: bool) -> Result<()> {
        let mut spooled: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .with_context(|| format!("cannot read {}", self.dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(".spool-")))
            .collect();
        spooled.sort();
        for (file, header, suffix) in FILES {
            if suffix == "load" && !with_load {
                continue;
            }
            let parts: Vec<&PathBuf> = spooled.iter().filter(|p| p.extension().is_some_and(|e| e == suffix)).collect();
            concat(&self.dir.join(file), header, &parts, false)?;
        }
        for p in spooled {
            std::fs::remove_file(&p).with_context(|| format!("cannot remove {}", p.display()))?;
        }
        Ok(())
    }
}

/// Writes `header` then the lines of each input in order to `out`; with
/// `skip_header` the first line of each input is dropped.
pub fn concat(out: &Path, header: &str, inputs: &[&PathBuf], skip_header: bool) -> Result<()> {
    let file = File::create(out).with_context(cannot_write(out))?;
    let mut w = BufWriter::new(file);
    writeln!(w, "{header}").with_context(cannot_write(out))?;
    for input in inputs {
        let cannot_read = || format!("cannot read {}", input.display());
        let r = BufReader::new(File::open(input).with_context(cannot_read)?);
        for (i, line) in r.split(b'\n').enumerate() {
            let line = line.with_context(cannot_read)?;
            if skip_header && i == 0 {
                continue;
            }
            w.write_all(&line).and_then(|()| w.write_all(b"\n")).with_context(cannot_write(out))?;
        }
    }
    w.flush().with_context(cannot_write(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{SECOND, Time};
    use crate::model::trace::{Actor, Event, EventKind, Fields, LoadBin, State, StatusChange};
    use crate::report::rows::header_of;
    use crate::scenario::Status;

    #[test]
    fn the_headers_are_the_rows_field_names() {
        let change = StatusChange {
            at: Time::ZERO,
            actor: Actor::Publisher,
            from: State::Server(Status::Primary),
            to: State::Server(Status::Secondary),
            cause: "x",
        };
        let event = Event {
            at: Time::ZERO,
            actor: Actor::Cluster,
            kind: EventKind::Heal,
            fields: Fields::NONE,
            detail: String::new(),
        };
        assert_eq!(header_of(&StatusRow::of(0, &change)), FILES[0].1);
        assert_eq!(header_of(&EventRow::of(0, &event)), FILES[1].1);
        assert_eq!(header_of(&LoadRow::of(0, SECOND, &LoadBin::default())), FILES[2].1);
    }
}
