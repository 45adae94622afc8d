//! `status.csv`, `events.csv` and `load.csv`, written as the replications run.
//!
//! ```text
//!   worker ──open──▶ SpoolTracer ──rows──▶ its spool set: .spool-0000.{status,events,load}
//!          ◀─close── (the load series' rows) ──▶ index: replication → set, [start, end) in each file
//!   finish: each trace file = its header, then every replication's rows in
//!           replication order, copied from the spools; the spools removed
//! ```
//! A traced replication's rows go to disk as it runs (through a buffer of
//! [`WRITE_AT`] bytes), so memory does not grow with the horizon. Traced
//! replications finish in any order on any thread: each takes a spool set
//! that no running replication is using (there are as many sets as
//! replications ever ran at once, about one per worker thread), appends its
//! rows, and notes where they start and end. Tracing every replication thus
//! costs the rows it writes, not files per replication.

use super::cannot_write;
use super::rows::{EventRow, LoadRow, StatusRow};
use crate::engine::Time;
use crate::experiment::TraceSink;
use crate::model::trace::{Actor, CallMark, Event, EventKind, Fields, LoadSeries, State, StatusChange, Tracer};
use anyhow::{Context, Result};
use serde::Serialize;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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

const STATUS: usize = 0;
const EVENTS: usize = 1;
const LOAD: usize = 2;

/// Rows are serialized into memory and written to their spool file in
/// pieces of about this many bytes.
pub const WRITE_AT: usize = 1 << 16;

fn spool_path(dir: &Path, set: usize, suffix: &str) -> PathBuf {
    dir.join(format!(".spool-{set:04}.{suffix}"))
}

fn rows_into(buffer: Vec<u8>) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().has_headers(false).from_writer(buffer)
}

/// One file of a spool set.
struct Part {
    path: PathBuf,
    file: File,
    /// Rows not yet in the file; `None` only after a failed write.
    rows: Option<csv::Writer<Vec<u8>>>,
    /// Bytes already in the file.
    written: u64,
}

impl Part {
    fn create(path: PathBuf) -> Result<Part> {
        let file = File::create(&path).with_context(cannot_write(&path))?;
        Ok(Part { path, file, rows: Some(rows_into(Vec::with_capacity(WRITE_AT))), written: 0 })
    }

    fn write(&mut self, row: impl Serialize) -> Result<()> {
        let rows = self.rows.as_mut().with_context(cannot_write(&self.path))?;
        rows.serialize(row).with_context(cannot_write(&self.path))?;
        if rows.get_ref().len() >= WRITE_AT {
            self.drain()?;
        }
        Ok(())
    }

    /// Writes the rows held in memory to the file.
    fn drain(&mut self) -> Result<()> {
        let rows = self.rows.take().with_context(cannot_write(&self.path))?;
        let mut buffer = rows.into_inner().map_err(|e| e.into_error()).with_context(cannot_write(&self.path))?;
        self.file.write_all(&buffer).with_context(cannot_write(&self.path))?;
        self.written += buffer.len() as u64;
        buffer.clear();
        self.rows = Some(rows_into(buffer));
        Ok(())
    }

    /// Where the rows serialized so far end, in the file or still in memory.
    fn end(&mut self) -> Result<u64> {
        let rows = self.rows.as_mut().with_context(cannot_write(&self.path))?;
        rows.flush().with_context(cannot_write(&self.path))?;
        Ok(self.written + rows.get_ref().len() as u64)
    }
}

/// Three spool files that replications, one at a time, append their rows to.
struct SpoolSet {
    id: usize,
    parts: [Part; 3],
    /// Where the last replication's rows ended in each part.
    ends: [u64; 3],
}

impl SpoolSet {
    fn create(dir: &Path, id: usize) -> Result<SpoolSet> {
        let [status, events, load] = FILES.map(|(_, _, suffix)| spool_path(dir, id, suffix));
        let parts = [Part::create(status)?, Part::create(events)?, Part::create(load)?];
        Ok(SpoolSet { id, parts, ends: [0; 3] })
    }

    /// Where the rows serialized so far end in each part.
    fn positions(&mut self) -> Result<[u64; 3]> {
        let [status, events, load] = &mut self.parts;
        Ok([status.end()?, events.end()?, load.end()?])
    }
}

/// Where one traced replication's rows are: its set, and [start, end) in each part.
struct Chunk {
    replication: u64,
    set: usize,
    bytes: [(u64, u64); 3],
}

/// The tracer of a traced replication: its status changes and events become
/// rows as they happen; its load series (a fixed number of bins) becomes
/// rows when it ends.
pub struct SpoolTracer {
    replication: u64,
    set: SpoolSet,
    series: LoadSeries,
    /// The first write that failed; nothing more is written after it.
    failed: Option<String>,
}

impl SpoolTracer {
    fn write(&mut self, part: usize, row: impl Serialize) {
        if self.failed.is_none()
            && let Err(e) = self.set.parts[part].write(row)
        {
            self.failed = Some(format!("{e:#}"));
        }
    }
}

impl Tracer for SpoolTracer {
    fn status(&mut self, at: Time, actor: Actor, from: State, to: State, cause: &'static str) {
        let row = StatusRow::of(self.replication, &StatusChange { at, actor, from, to, cause });
        self.write(STATUS, row);
    }
    fn event(&mut self, at: Time, actor: Actor, kind: EventKind, fields: Fields, detail: impl FnOnce() -> String) {
        let event = Event { at, actor, kind, fields, detail: detail() };
        self.write(EVENTS, EventRow::of(self.replication, &event));
    }
    fn load(&mut self, at: Time, server: usize, count: u32) {
        self.series.load(at, server, count);
    }
    fn mark(&mut self, at: Time, mark: CallMark, count: u32) {
        self.series.mark(at, mark, count);
    }
    fn check_load(&self, at: Time, busy: [u32; 2]) -> Result<(), String> {
        self.series.check(at, busy)
    }
}

/// The trace files of a run, spooled in a folder as replications run.
pub struct Spool {
    dir: PathBuf,
    /// Spool sets no running replication is using.
    free: Mutex<Vec<SpoolSet>>,
    /// How many sets exist (the next set's id).
    sets: Mutex<usize>,
    index: Mutex<Vec<Chunk>>,
}

impl Spool {
    pub fn new(dir: &Path) -> Spool {
        Spool { dir: dir.to_path_buf(), free: Mutex::default(), sets: Mutex::default(), index: Mutex::default() }
    }

    fn take_set(&self) -> Result<SpoolSet> {
        if let Some(set) = self.free.lock().expect("spool sets").pop() {
            return Ok(set);
        }
        let mut sets = self.sets.lock().expect("spool set count");
        let set = SpoolSet::create(&self.dir, *sets)?;
        *sets += 1;
        Ok(set)
    }

    /// Joins the spools into the trace files, in replication order, and
    /// removes them. `load.csv` is written only for models with calls.
    pub fn finish(self, with_load: bool) -> Result<()> {
        let mut sets = self.free.into_inner().expect("spool sets");
        sets.sort_by_key(|s| s.id);
        for set in &mut sets {
            for part in &mut set.parts {
                part.drain()?;
            }
        }
        let mut index = self.index.into_inner().expect("spool index");
        index.sort_by_key(|c| c.replication);
        for (part, (file, header, suffix)) in FILES.into_iter().enumerate() {
            if suffix == "load" && !with_load {
                continue;
            }
            let spools: Vec<&Path> = sets.iter().map(|s| s.parts[part].path.as_path()).collect();
            join(&self.dir.join(file), header, &spools, index.iter().map(|c| (c.set, c.bytes[part])))?;
        }
        for path in sets.iter().flat_map(|s| s.parts.iter().map(|p| &p.path)) {
            std::fs::remove_file(path).with_context(|| format!("cannot remove {}", path.display()))?;
        }
        Ok(())
    }
}

impl TraceSink for Spool {
    type Tracer = SpoolTracer;

    fn open(&self, index: u64, horizon: Time, bins: u64) -> Result<SpoolTracer, String> {
        let set = self.take_set().map_err(|e| format!("{e:#}"))?;
        Ok(SpoolTracer { replication: index, set, series: LoadSeries::new(horizon, bins), failed: None })
    }

    fn close(&self, index: u64, tracer: SpoolTracer) -> Result<(), String> {
        let SpoolTracer { mut set, series, failed, .. } = tracer;
        if let Some(message) = failed {
            return Err(message);
        }
        let bytes = end_replication(&mut set, index, series).map_err(|e| format!("{e:#}"))?;
        self.index.lock().expect("spool index").push(Chunk { replication: index, set: set.id, bytes });
        self.free.lock().expect("spool sets").push(set);
        Ok(())
    }
}

/// Writes replication `index`'s load series and returns where its rows lie
/// in each part of `set`.
fn end_replication(set: &mut SpoolSet, index: u64, series: LoadSeries) -> Result<[(u64, u64); 3]> {
    if let Some(load) = series.finish() {
        for bin in &load.bins {
            set.parts[LOAD].write(LoadRow::of(index, load.bin_width, bin))?;
        }
    }
    let starts = set.ends;
    set.ends = set.positions()?;
    Ok([0, 1, 2].map(|p| (starts[p], set.ends[p])))
}

/// Writes `header`, then each chunk (a spool's index, [start, end) in it) in
/// order, to `out`.
fn join(out: &Path, header: &str, spools: &[&Path], chunks: impl Iterator<Item = (usize, (u64, u64))>) -> Result<()> {
    let file = File::create(out).with_context(cannot_write(out))?;
    let mut w = BufWriter::with_capacity(WRITE_AT, file);
    writeln!(w, "{header}").with_context(cannot_write(out))?;
    let mut readers = Vec::with_capacity(spools.len());
    for path in spools {
        let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        readers.push((BufReader::with_capacity(WRITE_AT, file), 0u64));
    }
    for (spool, (start, end)) in chunks {
        let cannot_read = || format!("cannot read {}", spools[spool].display());
        let (reader, at) = &mut readers[spool];
        if *at != start {
            reader.seek_relative(start as i64 - *at as i64).with_context(cannot_read)?;
        }
        let copied = std::io::copy(&mut reader.by_ref().take(end - start), &mut w).with_context(cannot_read)?;
        if copied != end - start {
            anyhow::bail!("{} ends early", spools[spool].display());
        }
        *at = end;
    }
    w.flush().with_context(cannot_write(out))
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
    use crate::engine::SECOND;
    use crate::model::trace::LoadBin;
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

    /// Replications 2 and 0 run at once (two spool sets); 1 runs after 2, on
    /// the set 2 left free, and ends before 0. The files list them 0, 1, 2,
    /// and no spool is left behind.
    #[test]
    fn replications_join_in_order_whatever_set_and_order_they_ran_in() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path());
        // 10 s in two load bins of 5 s.
        let open = |i| spool.open(i, SECOND * 10, 2).unwrap();
        let (mut two, mut zero) = (open(2), open(0));
        let (primary, secondary) = (State::Server(Status::Primary), State::Server(Status::Secondary));
        two.status(SECOND, Actor::Publisher, primary, secondary, "test");
        zero.event(SECOND * 2, Actor::Cluster, EventKind::Heal, Fields::count(3), || "healed, with a comma".into());
        two.load(SECOND * 6, 1, 4);
        spool.close(2, two).unwrap();
        let mut one = open(1);
        one.event(SECOND * 3, Actor::Subscriber, EventKind::Crash, Fields::cause("random"), || "crashed".into());
        spool.close(1, one).unwrap();
        spool.close(0, zero).unwrap();
        spool.finish(true).unwrap();
        let read = |file: &str| std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert_eq!(read("status.csv"), format!("{}\n2,1,publisher,primary,secondary,test\n", FILES[0].1));
        assert_eq!(
            read("events.csv"),
            format!(
                "{}\n0,2,cluster,heal,\"healed, with a comma\",,,,,3\n1,3,subscriber,crash,crashed,random,,,,\n",
                FILES[1].1
            )
        );
        // Four calls on the subscriber from 6 s: the second bin peaks at 4.
        let zeros = |i| format!("{i},0,5,0,0,0,0,0\n{i},5,5,0,0,0,0,0\n");
        assert_eq!(
            read("load.csv"),
            format!("{}\n{}{}2,0,5,0,0,0,0,0\n2,5,5,0,4,0,0,0\n", FILES[2].1, zeros(0), zeros(1))
        );
        let names: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        assert!(names.iter().all(|n| !n.starts_with(".spool-")), "{names:?}");
    }

    /// A replication's rows reach the disk as it runs: past a buffer's worth,
    /// the spool file holds them before the replication ends.
    #[test]
    fn a_long_replication_writes_as_it_goes() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path());
        let mut tracer = spool.open(0, SECOND, 0).unwrap();
        let detail = "x".repeat(100);
        for _ in 0..2 * WRITE_AT / 100 {
            tracer.event(Time::ZERO, Actor::Cluster, EventKind::Heal, Fields::NONE, || detail.clone());
        }
        let on_disk = std::fs::metadata(spool_path(dir.path(), 0, "events")).unwrap().len();
        assert!(on_disk >= WRITE_AT as u64, "{on_disk} bytes on disk");
        spool.close(0, tracer).unwrap();
        spool.finish(false).unwrap();
        assert!(!dir.path().join("load.csv").exists(), "a model without calls has no load.csv");
    }
}
