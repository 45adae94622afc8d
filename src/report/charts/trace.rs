//! The traced replication the availability chart shows: the first one in the
//! trace files (replication 0 unless the folder is a later shard), read from
//! `events.csv`, `status.csv` and `load.csv`.

use super::data::{self, Summary};
use super::style::Statuses;
use super::timeline::{self, Bin, Change, Event, Fault, Segment};
use anyhow::Result;
use std::path::Path;

/// One replication's trace, ready to draw.
pub struct Trace {
    pub replication: u64,
    /// How many replications `events.csv` traces (0 when it is missing).
    pub traced_replications: u64,
    pub servers: Vec<String>,
    /// Per server, in the order of `servers`.
    pub segments: Vec<Vec<Segment>>,
    pub faults: Vec<Fault>,
    /// The replication's rows of `events.csv`, in file order.
    pub events: Vec<Event>,
    /// `None` when `load.csv` is missing or has no bins for this replication.
    pub load: Option<Load>,
    pub horizon_s: f64,
    pub statuses: Statuses,
}

/// `load.csv`'s bins and the servers its `*_peak` columns name.
pub struct Load {
    pub servers: Vec<String>,
    pub bins: Vec<Bin>,
}

/// Reads the first traced replication; `None` when no trace file has a row.
pub fn load(dir: &Path, summary: Option<&Summary>) -> Result<Option<Trace>> {
    let first = [data::first_replication(dir, "events.csv")?, data::first_replication(dir, "load.csv")?];
    let status_first = || data::first_replication(dir, "status.csv");
    let replication = match first.into_iter().flatten().next() {
        Some(r) => r,
        None => match status_first()? {
            Some(r) => r,
            None => return Ok(None),
        },
    };
    let (events, traced_replications) = read_events(dir, replication)?;
    let changes = read_changes(dir, replication)?;
    let load = read_load(dir, replication)?.filter(|l| !l.bins.is_empty());
    let horizon_s = horizon(summary, &events, &changes, load.as_ref());
    let servers = servers(&events, &changes, load.as_ref());
    let segments: Vec<Vec<Segment>> = servers
        .iter()
        .map(|server| {
            let initial =
                events.iter().find(|e| e.event == "initial_status" && &e.server == server).map(|e| e.detail.as_str());
            let mine: Vec<&Change> = changes.iter().filter(|c| &c.server == server).collect();
            timeline::segments(initial, &mine, horizon_s)
        })
        .collect();
    let faults = timeline::faults(&events, &segments, horizon_s);
    let statuses = statuses_of(&segments, &changes);
    Ok(Some(Trace { replication, traced_replications, servers, segments, faults, events, load, horizon_s, statuses }))
}

/// The statuses the trace shows, in order of first appearance, and each
/// server's first as its routine one.
fn statuses_of(segments: &[Vec<Segment>], changes: &[Change]) -> Statuses {
    let initial: Vec<String> = segments.iter().filter_map(|s| s.first().map(|seg| seg.status.clone())).collect();
    let mut seen: Vec<String> = vec![];
    let later = changes.iter().flat_map(|c| [&c.from, &c.to]);
    for status in initial.iter().chain(later) {
        if !seen.contains(status) {
            seen.push(status.clone());
        }
    }
    Statuses::new(&seen, &initial)
}

/// Calls `keep` on the rows of replication `replication` of a trace file.
/// Files are in replication order, so reading stops after its last row
/// unless `count` asks how many replications the file holds.
fn rows_of(
    mut file: data::CsvFile,
    replication: u64,
    count: bool,
    mut keep: impl FnMut(&data::Row) -> Result<()>,
) -> Result<u64> {
    let column = file.column("replication")?;
    let (mut replications, mut last, mut seen) = (0, None, false);
    file.for_each(|row| {
        let r = row.replication(column)?;
        if last != Some(r) {
            replications += 1;
            last = Some(r);
        }
        if r == replication {
            seen = true;
            keep(row)?;
        }
        Ok(count || !seen || r == replication)
    })?;
    Ok(replications)
}

fn read_events(dir: &Path, replication: u64) -> Result<(Vec<Event>, u64)> {
    let Some(file) = data::open(dir, "events.csv")? else { return Ok((vec![], 0)) };
    let [time, server, event, detail] = file.columns(["time_s", "server", "event", "detail"])?;
    let mut out = vec![];
    let count = rows_of(file, replication, true, |row| {
        out.push(Event {
            time_s: row.amount(time)?,
            server: row.str(server)?.to_string(),
            event: row.str(event)?.to_string(),
            detail: row.str(detail)?.to_string(),
        });
        Ok(())
    })?;
    Ok((out, count))
}

fn read_changes(dir: &Path, replication: u64) -> Result<Vec<Change>> {
    let Some(file) = data::open(dir, "status.csv")? else { return Ok(vec![]) };
    let [time, server, from, to] = file.columns(["time_s", "server", "from", "to"])?;
    let mut out = vec![];
    rows_of(file, replication, false, |row| {
        out.push(Change {
            time_s: row.amount(time)?,
            server: row.str(server)?.to_string(),
            from: row.str(from)?.to_string(),
            to: row.str(to)?.to_string(),
        });
        Ok(())
    })?;
    Ok(out)
}

fn read_load(dir: &Path, replication: u64) -> Result<Option<Load>> {
    let Some(file) = data::open(dir, "load.csv")? else { return Ok(None) };
    let headers = file.headers();
    let peak_columns: Vec<(usize, String)> = headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.strip_suffix("_peak").map(|server| (i, server.to_string())))
        .collect();
    let [start, width, blocked, dropped, mailbox] =
        file.columns(["start_s", "width_s", "blocked", "dropped", "mailbox_unavailable"])?;
    let mut bins = vec![];
    rows_of(file, replication, false, |row| {
        let peaks = peak_columns.iter().map(|(i, _)| row.amount(*i)).collect::<Result<Vec<f64>>>()?;
        bins.push(Bin {
            start_s: row.amount(start)?,
            width_s: row.amount(width)?,
            peaks,
            blocked: row.amount(blocked)?,
            dropped: row.amount(dropped)?,
            mailbox_unavailable: row.amount(mailbox)?,
        });
        Ok(())
    })?;
    Ok(Some(Load { servers: peak_columns.into_iter().map(|(_, s)| s).collect(), bins }))
}

/// The simulated time the chart spans: the run's duration when the summary
/// gives it, else the last time any trace mentions.
fn horizon(summary: Option<&Summary>, events: &[Event], changes: &[Change], load: Option<&Load>) -> f64 {
    if let Some(s) = summary.filter(|s| s.duration_s > 0.0) {
        return s.duration_s;
    }
    let bins = load.into_iter().flat_map(|l| l.bins.iter().map(|b| b.start_s + b.width_s));
    let times = events.iter().map(|e| e.time_s).chain(changes.iter().map(|c| c.time_s)).chain(bins);
    times.fold(0.0, f64::max).max(1.0)
}

/// The servers in the order the trace introduces them (`cluster` is not one).
fn servers(events: &[Event], changes: &[Change], load: Option<&Load>) -> Vec<String> {
    let initial = events.iter().filter(|e| e.event == "initial_status").map(|e| &e.server);
    let changed = changes.iter().map(|c| &c.server);
    let loaded = load.into_iter().flat_map(|l| l.servers.iter());
    let mut out: Vec<String> = vec![];
    for server in initial.chain(changed).chain(loaded) {
        if server != "cluster" && !out.contains(server) {
            out.push(server.clone());
        }
    }
    out
}
