//! A results folder, read once into one value that the charts and the HTML
//! report draw from: `summary.json`, `replications.csv`, the traced
//! replication of `events.csv`, `status.csv` and `load.csv` (and the time
//! each server spent in each status over every traced replication), and
//! whichever of `comparison.csv`, `sweep.csv`, `sizing.csv` / `sizing.json`
//! and `expectations.csv` the folder holds.
//!
//! ```text
//!   folder files ──read──▶ Folder ──▶ charts (PNG, SVG)
//!                                 └─▶ report.html
//! ```
//! Only files in the folder are read, so `chart DIR` rebuilds the same
//! charts and report the run wrote. Trace files can be large (`--trace all`
//! over thousands of replications): they are streamed, and only the first
//! traced replication is kept whole. Events are read by their typed columns (kind,
//! server, cause, links, ...): the `detail` sentence is shown, never parsed.
//! A missing file is no error (the report leaves its section out); a
//! malformed one is, naming the file and line.

use crate::engine::{SECOND, Time};
use crate::experiment::Stat;
use crate::model::trace::{Actor, EventKind, Links, State};
use crate::report::rows::{EventRow, LoadRow, Seconds, StatusRow};
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, MapAccess, Visitor};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Everything the report shows, from one folder.
///
/// The folder's own name is not part of it: a run writes the report in a
/// staging folder that is renamed afterwards, and `chart DIR` must write the
/// same bytes wherever the folder lives.
pub struct Folder {
    pub summary: Option<Summary>,
    pub replications: Option<Replications>,
    pub trace: Option<Trace>,
    pub comparison: Vec<ComparisonRow>,
    pub sweep: Option<Sweep>,
    pub sizing: Option<Sizing>,
    pub expectations: Vec<Expectation>,
}

impl Folder {
    /// Whether the folder is a chat pool's: `summary.json`'s kind says so,
    /// else (a compare or sweep folder) its metrics or its servers.
    pub fn is_chat(&self) -> bool {
        if let Some(kind) = self.summary.as_ref().and_then(|s| s.kind.as_deref()) {
            return kind == "persistent_chat";
        }
        let chat_actor = |a: Actor| matches!(a, Actor::MgcPrimary | Actor::MgcBackup);
        let traced = self.trace.as_ref().is_some_and(|t| t.events.iter().any(|e| chat_actor(e.server)));
        let metric = |m: &str| m == "posts_lost";
        traced
            || self.summary.as_ref().is_some_and(|s| s.metrics.iter().any(|(m, _)| metric(m)))
            || self.replications.as_ref().is_some_and(|r| r.metrics.iter().any(|m| metric(m)))
            || self.comparison.iter().any(|r| metric(&r.metric))
            || self.sweep.as_ref().is_some_and(|s| s.rows.iter().any(|r| metric(&r.metric)))
    }
}

impl Folder {
    /// The run's horizon: `summary.json`'s duration, else the last traced time.
    pub fn horizon(&self) -> Time {
        if let Some(s) = self.summary.as_ref().filter(|s| s.duration_s > 0.0) {
            return Time::from_secs_f64(s.duration_s);
        }
        let Some(t) = &self.trace else { return SECOND };
        let events = t.events.iter().map(|e| e.time.0);
        let changes = t.changes.iter().map(|c| c.time.0);
        let bins = t.load.iter().map(|b| b.start_s.0 + b.width_s.0);
        events.chain(changes).chain(bins).max().unwrap_or_default().max(SECOND)
    }
}

/// `summary.json`. Fields later versions added are optional, so an older
/// folder still has a report.
#[derive(Debug, Clone, Deserialize)]
pub struct Summary {
    pub scenario: String,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub seed: u64,
    pub replications: u64,
    /// Why a `--precision` run stopped adding replications.
    #[serde(default)]
    pub stopped: Option<String>,
    pub duration_s: f64,
    #[serde(default)]
    pub warmup_s: f64,
    #[serde(default)]
    pub window: Option<Window>,
    pub metrics: Metrics,
}

/// The measured window `[from_s, to_s)`.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Window {
    pub from_s: f64,
    pub to_s: f64,
}

/// The metrics of `summary.json` in file order (the order of SPEC §5).
#[derive(Debug, Clone, Default)]
pub struct Metrics(pub Vec<(String, Stat)>);

impl Metrics {
    pub fn iter(&self) -> impl Iterator<Item = &(String, Stat)> {
        self.0.iter()
    }
}

/// A metric's entry; `null` (a NaN written by serde_json) reads as NaN.
#[derive(Deserialize)]
struct StatJson {
    mean: Option<f64>,
    ci95: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
}

impl<'de> Deserialize<'de> for Metrics {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct InOrder;
        impl<'de> Visitor<'de> for InOrder {
            type Value = Metrics;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of metrics")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Metrics, A::Error> {
                let mut out = vec![];
                while let Some((name, s)) = map.next_entry::<String, StatJson>()? {
                    let v = |x: Option<f64>| x.unwrap_or(f64::NAN);
                    out.push((name, Stat { mean: v(s.mean), ci95: v(s.ci95), min: v(s.min), max: v(s.max) }));
                }
                Ok(Metrics(out))
            }
        }
        d.deserialize_map(InOrder)
    }
}

/// `replications.csv`: each replication's value of every metric.
pub struct Replications {
    pub metrics: Vec<String>,
    /// Per row, in file order: the replication and its values, in the order of `metrics`.
    pub rows: Vec<(u64, Vec<f64>)>,
}

impl Replications {
    /// Every replication's value of `metric`; `None` when the file lacks it.
    pub fn values(&self, metric: &str) -> Option<Vec<f64>> {
        let i = self.metrics.iter().position(|m| m == metric)?;
        Some(self.rows.iter().map(|(_, values)| values[i]).collect())
    }

    /// Replication `replication`'s value of `metric`, when the file has both.
    pub fn value(&self, replication: u64, metric: &str) -> Option<f64> {
        let i = self.metrics.iter().position(|m| m == metric)?;
        self.rows.iter().find(|(r, _)| *r == replication).map(|(_, values)| values[i])
    }
}

/// One traced replication: the first in the trace files.
pub struct Trace {
    pub replication: u64,
    /// How many replications `events.csv` traces.
    pub replications: u64,
    pub events: Vec<TracedEvent>,
    pub changes: Vec<TracedChange>,
    /// `load.csv`'s bins for the replication (empty for a chat pool).
    pub load: Vec<LoadRow>,
    /// The time in each status over every traced replication.
    pub status_time: StatusTime,
}

impl Trace {
    /// The servers in the order the trace introduces them (`cluster` is none).
    pub fn servers(&self) -> Vec<Actor> {
        let initial = self.events.iter().filter(|e| e.kind == EventKind::InitialStatus).map(|e| e.server);
        let changed = self.changes.iter().map(|c| c.server);
        let mut out: Vec<Actor> = vec![];
        for actor in initial.chain(changed) {
            if actor != Actor::Cluster && !out.contains(&actor) {
                out.push(actor);
            }
        }
        out
    }

    /// A server's status at the start: its `initial_status` event's.
    pub fn initial_status(&self, server: Actor) -> Option<State> {
        let initial = self.events.iter().find(|e| e.server == server && e.kind == EventKind::InitialStatus);
        initial.and_then(|e| State::parse(&e.status))
    }
}

/// Seconds per (server, status) summed over every replication `status.csv`
/// traces, from each server's initial status on; [`StatusTime::finish`]
/// closes the statuses still current at the horizon.
#[derive(Debug, Clone, Default)]
pub struct StatusTime {
    seconds: BTreeMap<(Actor, State), f64>,
    /// Per (replication, server): the current status and since when.
    current: BTreeMap<(u64, Actor), (State, f64)>,
    /// The replications with an initial status or a change.
    pub replications: BTreeSet<u64>,
    /// The replications with a status change.
    pub changed: BTreeSet<u64>,
}

impl StatusTime {
    fn add(&mut self, server: Actor, status: State, seconds: f64) {
        *self.seconds.entry((server, status)).or_default() += seconds.max(0.0);
    }

    fn initial(&mut self, replication: u64, server: Actor, status: State) {
        self.replications.insert(replication);
        self.current.insert((replication, server), (status, 0.0));
    }

    fn change(&mut self, replication: u64, c: &TracedChange) {
        self.replications.insert(replication);
        self.changed.insert(replication);
        let key = (replication, c.server);
        let (status, since) = self.current.remove(&key).unwrap_or((c.from, 0.0));
        let at_s = c.time.as_f64().max(since);
        self.add(c.server, status, at_s - since);
        self.current.insert(key, (c.to, at_s));
    }

    /// The seconds per (server, status), each current status closed at `horizon_s`.
    pub fn finish(&self, horizon_s: f64) -> BTreeMap<(Actor, State), f64> {
        let mut done = self.clone();
        for ((_, server), (status, since)) in &self.current {
            done.add(*server, *status, horizon_s - since.min(horizon_s));
        }
        done.seconds
    }
}

/// A row of `events.csv`, typed.
#[derive(Debug, Clone, PartialEq)]
pub struct TracedEvent {
    /// The time exactly as written (`34238.823976`), and in seconds.
    pub time: Seconds,
    pub server: Actor,
    pub kind: EventKind,
    pub detail: String,
    pub cause: String,
    pub links: Links,
    pub service: String,
    pub status: String,
    pub count: Option<u64>,
}

/// A row of `status.csv`, typed.
#[derive(Debug, Clone, PartialEq)]
pub struct TracedChange {
    pub time: Seconds,
    pub server: Actor,
    pub from: State,
    pub to: State,
    pub cause: String,
}

/// A row of `comparison.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct ComparisonRow {
    pub strategy: String,
    pub metric: String,
    pub mean: f64,
    pub ci95: f64,
    pub diff: f64,
    pub diff_ci95: f64,
}

/// `sweep.csv`: the swept keys, then a row per grid point and metric.
pub struct Sweep {
    pub keys: Vec<String>,
    pub rows: Vec<SweepRow>,
}

#[derive(Debug, Clone)]
pub struct SweepRow {
    /// The value of each key, as given on the command line.
    pub values: Vec<String>,
    pub metric: String,
    pub mean: f64,
    pub ci95: f64,
}

/// `sizing.csv` and `sizing.json`: the candidates each strategy tried, the
/// targets, and the least value of the key that met them (`None`: not in range).
pub struct Sizing {
    pub key: String,
    pub targets: Vec<Target>,
    pub answers: Vec<(String, Option<i64>)>,
    /// Erlang B's answer for a blocking target (one pool, no failure).
    pub textbook: Option<i64>,
    /// Where a neighbour contradicted the search's monotonicity.
    pub warnings: Vec<String>,
    pub candidates: Vec<Candidate>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Target {
    pub metric: String,
    pub op: String,
    pub value: f64,
}

pub struct Candidate {
    pub strategy: String,
    pub value: String,
    pub metric: String,
    pub mean: f64,
    pub ci95: f64,
    pub meets: bool,
}

/// A row of `expectations.csv`; `keys` are the strategy or swept-key
/// columns that compare and sweep put first.
pub struct Expectation {
    pub keys: Vec<(String, String)>,
    pub metric: String,
    pub bound: String,
    pub value: String,
    pub mean: f64,
    pub ci95: f64,
    pub verdict: String,
}

/// Reads results folder `dir`. A file the folder lacks leaves its part
/// empty; a malformed one is an error naming the file and the line.
pub fn read(dir: &Path) -> Result<Folder> {
    if !dir.is_dir() {
        bail!("{} is not a folder", dir.display());
    }
    Ok(Folder {
        summary: read_summary(dir)?,
        replications: read_replications(dir)?,
        trace: read_trace(dir)?,
        comparison: read_rows(dir, "comparison.csv")?.unwrap_or_default(),
        sweep: read_sweep(dir)?,
        sizing: read_sizing(dir)?,
        expectations: read_expectations(dir)?,
    })
}

fn existing(dir: &Path, name: &str) -> Option<PathBuf> {
    let path = dir.join(name);
    path.is_file().then_some(path)
}

fn read_json<T: DeserializeOwned>(dir: &Path, name: &str) -> Result<Option<T>> {
    let Some(path) = existing(dir, name) else { return Ok(None) };
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let value =
        serde_json::from_str(&text).with_context(|| format!("{} is not what clustersim writes", path.display()))?;
    Ok(Some(value))
}

fn read_summary(dir: &Path) -> Result<Option<Summary>> {
    read_json(dir, "summary.json")
}

/// A CSV file of the folder, record by record with the line of each.
struct Csv {
    path: PathBuf,
    reader: csv::Reader<std::fs::File>,
    headers: csv::StringRecord,
}

impl Csv {
    fn open(dir: &Path, name: &str) -> Result<Option<Csv>> {
        let Some(path) = existing(dir, name) else { return Ok(None) };
        let file = std::fs::File::open(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut reader = csv::Reader::from_reader(file);
        let headers = reader.headers().with_context(|| format!("{} is not valid CSV", path.display()))?.clone();
        if headers.iter().all(str::is_empty) {
            bail!("{} is empty: it has no header line", path.display());
        }
        Ok(Some(Csv { path, reader, headers }))
    }

    /// Calls `f` with each record until it returns `false`; an error names
    /// the file and line. Trace files are in replication order, so a reader
    /// of one replication stops after its rows.
    fn each(&mut self, mut f: impl FnMut(&csv::StringRecord, &csv::StringRecord, u64) -> Result<bool>) -> Result<()> {
        let mut record = csv::StringRecord::new();
        while self
            .reader
            .read_record(&mut record)
            .with_context(|| format!("{} is not valid CSV", self.path.display()))?
        {
            let line = record.position().map_or(0, |p| p.line());
            let go_on = f(&record, &self.headers, line).map_err(|e| self.locate(e, &record, line))?;
            if !go_on {
                break;
            }
        }
        Ok(())
    }
}

impl Csv {
    /// An error of row `line`, naming the file, the line and, when serde
    /// says which, the value and its column.
    fn locate(&self, error: anyhow::Error, record: &csv::StringRecord, line: u64) -> anyhow::Error {
        let field = error.downcast_ref::<csv::Error>().and_then(|e| match e.kind() {
            csv::ErrorKind::Deserialize { err, .. } => err.field(),
            _ => None,
        });
        let place = match field.and_then(|i| Some((record.get(i as usize)?, self.headers.get(i as usize)?))) {
            Some((value, column)) => format!("{}:{line}: `{value}` in column `{column}`", self.path.display()),
            None => format!("{}:{line}", self.path.display()),
        };
        error.context(place)
    }
}

/// Every row of a CSV file as `T`; `None` when the file is missing.
fn read_rows<T: DeserializeOwned>(dir: &Path, name: &str) -> Result<Option<Vec<T>>> {
    let Some(mut file) = Csv::open(dir, name)? else { return Ok(None) };
    let mut rows = vec![];
    file.each(|record, headers, _| {
        rows.push(record.deserialize(Some(headers))?);
        Ok(true)
    })?;
    Ok(Some(rows))
}

/// The first replication a trace file holds.
fn first_replication(dir: &Path, name: &str) -> Result<Option<u64>> {
    let Some(mut file) = Csv::open(dir, name)? else { return Ok(None) };
    let mut first = None;
    file.each(|record, headers, _| {
        let row: Replication = record.deserialize(Some(headers))?;
        first = Some(row.replication);
        Ok(false)
    })?;
    Ok(first)
}

#[derive(Deserialize)]
struct Replication {
    replication: u64,
}

/// Reads the traced replication: the first of `events.csv`, else of
/// `status.csv`, else of `load.csv` (a shard's first may not be 0).
fn read_trace(dir: &Path) -> Result<Option<Trace>> {
    let mut first = None;
    for name in ["events.csv", "status.csv", "load.csv"] {
        first = first.or(first_replication(dir, name)?);
    }
    let Some(replication) = first else { return Ok(None) };
    let mut status_time = StatusTime::default();
    let (events, replications) = read_events(dir, replication, &mut status_time)?;
    Ok(Some(Trace {
        replication,
        replications,
        events,
        changes: read_changes(dir, replication, &mut status_time)?,
        load: read_load(dir, replication)?,
        status_time,
    }))
}

fn parse<T>(what: &str, text: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T> {
    parse(text).with_context(|| format!("unknown {what} `{text}`"))
}

/// The rows of `replication` in `events.csv`, and how many replications
/// the file traces (it is read to the end for that count and for every
/// replication's initial statuses).
fn read_events(dir: &Path, replication: u64, status_time: &mut StatusTime) -> Result<(Vec<TracedEvent>, u64)> {
    let Some(mut file) = Csv::open(dir, "events.csv")? else { return Ok((vec![], 0)) };
    let (mut events, mut replications, mut last) = (vec![], 0, None);
    file.each(|record, headers, _| {
        let row: EventRow = record.deserialize(Some(headers))?;
        if last != Some(row.replication) {
            replications += 1;
            last = Some(row.replication);
        }
        let server = parse("server", row.server, Actor::parse)?;
        let kind = parse("event", row.event, EventKind::parse)?;
        if let (EventKind::InitialStatus, Some(status)) = (kind, State::parse(row.status)) {
            status_time.initial(row.replication, server, status);
        }
        if row.replication == replication {
            events.push(TracedEvent {
                time: row.time_s,
                server,
                kind,
                detail: row.detail.to_string(),
                cause: row.cause.to_string(),
                links: parse("link", &row.link, Links::parse)?,
                service: row.service.to_string(),
                status: row.status.to_string(),
                count: row.count,
            });
        }
        Ok(true)
    })?;
    Ok((events, replications))
}

/// The changes of `replication` in `status.csv`; every replication's go
/// into `status_time`.
fn read_changes(dir: &Path, replication: u64, status_time: &mut StatusTime) -> Result<Vec<TracedChange>> {
    let Some(mut file) = Csv::open(dir, "status.csv")? else { return Ok(vec![]) };
    let mut changes = vec![];
    file.each(|record, headers, _| {
        let row: StatusRow = record.deserialize(Some(headers))?;
        let change = TracedChange {
            time: row.time_s,
            server: parse("server", row.server, Actor::parse)?,
            from: parse("status", row.from, State::parse)?,
            to: parse("status", row.to, State::parse)?,
            cause: row.cause.to_string(),
        };
        status_time.change(row.replication, &change);
        if row.replication == replication {
            changes.push(change);
        }
        Ok(true)
    })?;
    Ok(changes)
}

/// `replications.csv`: `replication,seed`, then a column per metric. A
/// value may be `NaN` (a metric of an empty run).
fn read_replications(dir: &Path) -> Result<Option<Replications>> {
    let Some(mut file) = Csv::open(dir, "replications.csv")? else { return Ok(None) };
    let metrics: Vec<String> = file.headers.iter().skip(2).map(str::to_string).collect();
    let mut rows = vec![];
    file.each(|record, _, _| {
        let number = |t: &str| t.trim().parse::<f64>().ok().with_context(|| format!("`{t}` is not a number"));
        let replication = record.get(0).unwrap_or_default();
        let replication = replication.parse().ok().with_context(|| format!("`{replication}` is not a replication"))?;
        let values = record.iter().skip(2).map(number).collect::<Result<Vec<f64>>>()?;
        if values.len() != metrics.len() {
            bail!("the row has {} values for {} metrics", values.len(), metrics.len());
        }
        rows.push((replication, values));
        Ok(true)
    })?;
    Ok(Some(Replications { metrics, rows }))
}

fn read_load(dir: &Path, replication: u64) -> Result<Vec<LoadRow>> {
    let Some(mut file) = Csv::open(dir, "load.csv")? else { return Ok(vec![]) };
    let mut bins = vec![];
    file.each(|record, headers, _| {
        let row: LoadRow = record.deserialize(Some(headers))?;
        if row.replication == replication {
            bins.push(row);
        }
        Ok(row.replication <= replication)
    })?;
    Ok(bins)
}

fn read_sweep(dir: &Path) -> Result<Option<Sweep>> {
    let Some(mut file) = Csv::open(dir, "sweep.csv")? else { return Ok(None) };
    let position = |name: &str| file.headers.iter().position(|h| h == name);
    let (Some(metric), Some(mean), Some(ci95)) = (position("metric"), position("mean"), position("ci95")) else {
        bail!("{} has no `metric`, `mean` and `ci95` columns", file.path.display());
    };
    let keys: Vec<String> = file.headers.iter().take(metric).map(str::to_string).collect();
    let mut rows = vec![];
    file.each(|record, _, _| {
        let text = |i: usize| record.get(i).context("the row is too short");
        let number = |i: usize| -> Result<f64> {
            let t = text(i)?;
            t.parse().ok().with_context(|| format!("`{t}` is not a number"))
        };
        rows.push(SweepRow {
            values: (0..metric).map(|i| text(i).map(str::to_string)).collect::<Result<_>>()?,
            metric: text(metric)?.to_string(),
            mean: number(mean)?,
            ci95: number(ci95)?,
        });
        Ok(true)
    })?;
    Ok(Some(Sweep { keys, rows }))
}

#[derive(Deserialize)]
struct SizingJson {
    key: String,
    targets: Vec<Target>,
    answers: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    textbook: Option<i64>,
    #[serde(default)]
    warnings: Vec<String>,
}

fn read_sizing(dir: &Path) -> Result<Option<Sizing>> {
    let Some(json) = read_json::<SizingJson>(dir, "sizing.json")? else { return Ok(None) };
    let mut candidates = vec![];
    if let Some(mut file) = Csv::open(dir, "sizing.csv")? {
        let key = file.headers.get(1).unwrap_or_default().to_string();
        let position = |name: &str| file.headers.iter().position(|h| h == name);
        let columns = [position("strategy"), position(&key), position("metric"), position("mean")];
        let [Some(strategy), Some(value), Some(metric), Some(mean)] = columns else {
            bail!("{} has no `strategy`, key, `metric` and `mean` columns", file.path.display());
        };
        let (ci95, meets) = (position("ci95"), position("meets"));
        file.each(|record, _, _| {
            let text = |i: usize| record.get(i).unwrap_or_default();
            let number = |i: Option<usize>| -> Result<f64> {
                let t = i.map_or("0", text);
                t.parse().ok().with_context(|| format!("`{t}` is not a number"))
            };
            candidates.push(Candidate {
                strategy: text(strategy).to_string(),
                value: text(value).to_string(),
                metric: text(metric).to_string(),
                mean: number(Some(mean))?,
                ci95: number(ci95)?,
                meets: matches!(meets.map(text), Some("true" | "yes" | "1")),
            });
            Ok(true)
        })?;
    }
    // Strategies in the order they were searched, then any the CSV lacks.
    let mut order: Vec<&str> = vec![];
    for c in &candidates {
        if !order.contains(&c.strategy.as_str()) {
            order.push(&c.strategy);
        }
    }
    order.extend(json.answers.keys().map(String::as_str).filter(|k| !candidates.iter().any(|c| &c.strategy == k)));
    let answers = order
        .iter()
        .filter(|s| json.answers.contains_key(**s))
        .map(|s| (s.to_string(), json.answers[*s].as_i64()))
        .collect();
    Ok(Some(Sizing {
        key: json.key,
        targets: json.targets,
        answers,
        textbook: json.textbook,
        warnings: json.warnings,
        candidates,
    }))
}

fn read_expectations(dir: &Path) -> Result<Vec<Expectation>> {
    let Some(mut file) = Csv::open(dir, "expectations.csv")? else { return Ok(vec![]) };
    let headers: Vec<String> = file.headers.iter().map(str::to_string).collect();
    let Some(first) = headers.iter().position(|h| h == "metric") else {
        bail!("{} has no `metric` column", file.path.display());
    };
    let column = |name: &str| headers.iter().position(|h| h == name);
    let columns = [column("bound"), column("value"), column("mean"), column("ci95"), column("verdict")];
    let [Some(bound), Some(value), Some(mean), Some(ci95), Some(verdict)] = columns else {
        bail!("{} lacks one of `bound`, `value`, `mean`, `ci95`, `verdict`", file.path.display());
    };
    let mut out = vec![];
    file.each(|record, _, _| {
        let text = |i: usize| record.get(i).unwrap_or_default();
        let number = |i: usize| -> Result<f64> {
            let t = text(i);
            t.parse().ok().with_context(|| format!("`{t}` is not a number"))
        };
        out.push(Expectation {
            keys: (0..first).map(|i| (headers[i].clone(), text(i).to_string())).collect(),
            metric: text(first).to_string(),
            bound: text(bound).to_string(),
            value: text(value).to_string(),
            mean: number(mean)?,
            ci95: number(ci95)?,
            verdict: text(verdict).to_string(),
        });
        Ok(true)
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Status;

    #[test]
    fn metrics_keep_the_order_of_the_file_and_null_reads_as_nan() {
        let m: Metrics = serde_json::from_str(
            r#"{"calls_offered": {"mean": 10.0, "ci95": 1.0, "min": 8.0, "max": 12.0},
                "availability": {"mean": null, "ci95": null, "min": null, "max": null}}"#,
        )
        .unwrap();
        let names: Vec<&str> = m.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["calls_offered", "availability"]);
        assert_eq!(m.0[0].1, Stat { mean: 10.0, ci95: 1.0, min: 8.0, max: 12.0 });
        assert!(m.0[1].1.mean.is_nan());
    }

    #[test]
    fn status_time_is_split_at_each_change_and_closed_at_the_horizon() {
        // Replication 0: publisher primary from 0, not_functioning at 10 s,
        // starting at 15 s; replication 1: subscriber secondary until 40 s
        // (its initial status unknown: the change's `from`), then primary.
        // Over 100 s: primary 10, not_functioning 5, starting 85; secondary 40, primary 60.
        let change = |time_s: u64, server, from: Status, to: Status| TracedChange {
            time: Seconds(crate::engine::SECOND * time_s),
            server,
            from: State::Server(from),
            to: State::Server(to),
            cause: String::new(),
        };
        let mut t = StatusTime::default();
        t.initial(0, Actor::Publisher, State::Server(Status::Primary));
        t.change(0, &change(10, Actor::Publisher, Status::Primary, Status::NotFunctioning));
        t.change(0, &change(15, Actor::Publisher, Status::NotFunctioning, Status::Starting));
        t.change(1, &change(40, Actor::Subscriber, Status::Secondary, Status::Primary));
        let seconds = t.finish(100.0);
        let get = |server, status| seconds[&(server, State::Server(status))];
        assert_eq!(get(Actor::Publisher, Status::Primary), 10.0);
        assert_eq!(get(Actor::Publisher, Status::NotFunctioning), 5.0);
        assert_eq!(get(Actor::Publisher, Status::Starting), 85.0);
        assert_eq!(get(Actor::Subscriber, Status::Secondary), 40.0);
        assert_eq!(get(Actor::Subscriber, Status::Primary), 60.0);
        assert_eq!((t.replications.len(), t.changed.len()), (2, 2));
    }

    #[test]
    fn a_malformed_value_names_its_column() {
        let tmp = tempfile::tempdir().unwrap();
        let csv = "strategy,metric,mean,ci95,diff,diff_ci95\nsccp,calls_blocked,many,1,0,0\n";
        std::fs::write(tmp.path().join("comparison.csv"), csv).unwrap();
        let message = format!("{:#}", read(tmp.path()).err().expect("an error"));
        assert!(message.contains("comparison.csv:2: `many` in column `mean`"), "{message}");
    }

    #[test]
    fn an_unknown_event_is_an_error_naming_the_file_and_line() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join("events.csv"),
            "replication,time_s,server,event,detail\n0,0,publisher,initial_status,primary\n0,5,publisher,exploded,boom\n",
        )
        .unwrap();
        let message = format!("{:#}", read_trace(tmp.path()).err().expect("an error"));
        assert!(message.contains("events.csv:3") && message.contains("unknown event `exploded`"), "{message}");
    }
}
