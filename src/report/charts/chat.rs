//! `availability.png` of a Persistent Chat run (C1–C5): what the
//! failover looked like, and what was lost. Top to bottom:
//!
//! ```text
//! ┌ title; replication; the traced replication's figures (replications.csv) ┐
//! │ whole run   mgc_primary ██████████▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓  status lanes, and     │
//! │             mgc_backup  ████████████▓▓█████████  the data-centre loss │
//! │                           └─ zoomed below ─┘                          │
//! │ zoom, from before the last log backup to after the mirror is back:    │
//! │   status lanes                                                        │
//! │   log backups, copies, restores, compliance adapter runs (ticks)      │
//! │   posts lost (last backup → failure), compliance records lost         │
//! │   runbook: one Gantt row per step, with the seed's command            │
//! │   outage and unmirrored periods shaded behind every row               │
//! └ time axis (h:mm), then how to read it ────────────────────────────────┘
//! ```
//!
//! Everything comes from `events.csv` (the jobs, the failure, one event per
//! runbook step at its end), `status.csv` and the replication's row of
//! `replications.csv`; a folder without that file still draws, with the
//! figures the events give.

use super::Draw;
use super::data::{self, Summary};
use super::layout::{self, PLOT_LEFT, PLOT_RIGHT, Swatch};
use super::style::{self, HEIGHT, WIDTH};
use super::timeline::{self, Event, FaultKind};
use super::trace::Trace;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::path::Path;

/// Whether a trace is a chat pool's: its servers are the mgc databases, or
/// its events are log shipping's and the runbook's.
pub fn is_chat(trace: &Trace) -> bool {
    let named = !trace.servers.is_empty() && trace.servers.iter().all(|s| s.starts_with("mgc_"));
    let chat_event = |e: &Event| {
        matches!(e.event.as_str(), "log_backup" | "log_copy" | "datacenter_down") || e.event.starts_with("runbook_")
    };
    named || trace.events.iter().any(chat_event)
}

/// Whether a folder without traces is a chat pool's: its replications.csv
/// has the chat metrics.
pub fn is_chat_folder(dir: &Path) -> Result<bool> {
    let Some(file) = data::open(dir, "replications.csv")? else { return Ok(false) };
    Ok(file.headers().iter().any(|h| h == "posts_lost"))
}

/// The runbook's events and the short names of their steps, in seed order.
const STEPS: [(&str, &str); 8] = [
    ("runbook_decided", "decide"),
    ("runbook_log_shipping_removed", "remove log shipping"),
    ("runbook_backups_copied", "copy backups"),
    ("runbook_backups_applied", "apply backups"),
    ("runbook_database_online", "restore with recovery"),
    ("runbook_pool_failed_over", "FailedOver"),
    ("runbook_active_servers_set", "active servers"),
    ("runbook_mirror_installed", "install mirror"),
];
/// The step after which the service is back (C4), and the one after which
/// the mirror is.
const SERVICE_BACK: &str = "runbook_active_servers_set";
const MIRRORED: &str = "runbook_mirror_installed";
const FAILED_OVER: &str = "runbook_pool_failed_over";

fn step_name(event: &str) -> String {
    match STEPS.iter().find(|(e, _)| *e == event) {
        Some((_, name)) => name.to_string(),
        None => event.trim_start_matches("runbook_").replace('_', " "),
    }
}

/// The periodic jobs of C2 and C5, one tick row each.
#[derive(Clone, Copy, PartialEq, Eq)]
enum JobKind {
    Backup,
    Copy,
    Restore,
    Adapter,
}

impl JobKind {
    const ALL: [JobKind; 4] = [JobKind::Backup, JobKind::Copy, JobKind::Restore, JobKind::Adapter];

    fn of(event: &str) -> Option<JobKind> {
        match event {
            "log_backup" => Some(JobKind::Backup),
            "log_copy" => Some(JobKind::Copy),
            "log_restore" => Some(JobKind::Restore),
            "compliance_adapter" => Some(JobKind::Adapter),
            _ => None,
        }
    }

    fn row_name(self) -> &'static str {
        match self {
            JobKind::Backup => "log backups",
            JobKind::Copy => "log copies",
            JobKind::Restore => "log restores",
            JobKind::Adapter => "compliance adapter",
        }
    }

    /// What a run moved, for the label beside its tick.
    fn moved(self, n: u64) -> String {
        let plural = |one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        match self {
            JobKind::Backup => plural("post", "posts"),
            JobKind::Copy => plural("file", "files"),
            JobKind::Restore => plural("backup", "backups"),
            JobKind::Adapter => plural("record", "records"),
        }
    }

    fn color(self) -> RGBColor {
        match self {
            JobKind::Backup => RGBColor(0x00, 0x72, 0xB2),
            JobKind::Copy => RGBColor(0x00, 0x9E, 0x73),
            JobKind::Restore => RGBColor(0x11, 0x77, 0x33),
            JobKind::Adapter => COMPLIANCE,
        }
    }
}

const OUTAGE: RGBColor = RGBColor(0xB2, 0x22, 0x22);
const OUTAGE_ALPHA: f64 = 0.10;
const UNMIRRORED: RGBColor = RGBColor(0x6A, 0x3D, 0x9A);
const UNMIRRORED_ALPHA: f64 = 0.10;
const LOST: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const COMPLIANCE: RGBColor = RGBColor(0xAA, 0x33, 0x77);
const STEP: RGBColor = RGBColor(0x3A, 0x5F, 0x8A);
const IDLE: RGBColor = RGBColor(0xA8, 0xA8, 0xA8);
const WINDOW: RGBColor = RGBColor(0x22, 0x22, 0x22);

/// A runbook step, from the previous runbook event (the first from the
/// failure) to its own event.
struct Step {
    name: String,
    detail: String,
    start_s: f64,
    end_s: f64,
}

/// A run of a periodic job; `moved` is the count its detail starts with.
struct Job {
    kind: JobKind,
    time_s: f64,
    moved: Option<u64>,
}

/// What the events say of the failover.
struct Failover {
    failure_s: Option<f64>,
    /// The server whose site was lost.
    failed_server: Option<String>,
    failure_detail: String,
    steps: Vec<Step>,
    jobs: Vec<Job>,
    back_s: Option<f64>,
    /// Step 5: the pool is failed over; the backup runs unmirrored from here.
    failed_over_s: Option<f64>,
    mirrored_s: Option<f64>,
    /// The last log backup and compliance adapter run before the failure
    /// (jobs due at its instant run before it, and come first in the file).
    last_backup_s: Option<f64>,
    last_adapter_s: Option<f64>,
}

/// The first whole number in `text`: the count a job's detail starts with.
fn first_number(text: &str) -> Option<u64> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let digits: String = text[start..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

impl Failover {
    fn new(events: &[Event]) -> Failover {
        let failure_index = events.iter().position(|e| e.event == "datacenter_down");
        let failure = failure_index.map(|i| &events[i]);
        let failure_s = failure.map(|e| e.time_s);
        let mut steps = vec![];
        let mut previous = failure_s;
        for e in events.iter().filter(|e| e.event.starts_with("runbook_")) {
            let start_s = previous.map_or(e.time_s, |p| p.min(e.time_s));
            steps.push(Step { name: step_name(&e.event), detail: e.detail.clone(), start_s, end_s: e.time_s });
            previous = Some(e.time_s);
        }
        let jobs: Vec<Job> = events
            .iter()
            .filter_map(|e| {
                JobKind::of(&e.event).map(|kind| Job { kind, time_s: e.time_s, moved: first_number(&e.detail) })
            })
            .collect();
        let before = &events[..failure_index.unwrap_or(0)];
        let last = |name: &str| before.iter().rev().find(|e| e.event == name).map(|e| e.time_s);
        let at = |name: &str| events.iter().find(|e| e.event == name).map(|e| e.time_s);
        Failover {
            failure_s,
            failed_server: failure.map(|e| e.server.clone()),
            failure_detail: failure.map_or_else(String::new, |e| e.detail.clone()),
            steps,
            jobs,
            back_s: at(SERVICE_BACK),
            failed_over_s: at(FAILED_OVER),
            mirrored_s: at(MIRRORED),
            last_backup_s: last("log_backup"),
            last_adapter_s: last("compliance_adapter"),
        }
    }
}

/// The traced replication's figures: its row of `replications.csv`, or what
/// the events give when the folder lacks it.
#[derive(Default)]
struct Figures {
    posts_lost: Option<f64>,
    rpo_s: Option<f64>,
    outage_s: Option<f64>,
    unmirrored_s: Option<f64>,
    compliance_lost: Option<f64>,
    posts_refused: Option<f64>,
    backups_applied: Option<f64>,
    uncopied_posts: Option<f64>,
    from_file: bool,
}

impl Figures {
    fn load(dir: &Path, replication: u64, failover: &Failover, horizon_s: f64) -> Result<Figures> {
        let mut figures = Figures::default();
        if let Some(mut file) = data::open(dir, "replications.csv")? {
            let headers = file.headers();
            let column = |name: &str| headers.iter().position(|h| h == name);
            let index = file.column("replication")?;
            let names = [
                "posts_lost",
                "rpo_s",
                "outage_s",
                "unmirrored_s",
                "compliance_records_lost",
                "posts_refused",
                "backups_applied",
                "posts_in_uncopied_backups",
            ];
            let columns = names.map(column);
            let mut found: Option<[Option<f64>; 8]> = None;
            file.for_each(|row| {
                if row.replication(index)? != replication {
                    return Ok(true);
                }
                let mut values = [None; 8];
                for (value, c) in values.iter_mut().zip(columns) {
                    if let Some(c) = c {
                        *value = Some(row.number(c)?).filter(|v| v.is_finite());
                    }
                }
                found = Some(values);
                Ok(false)
            })?;
            if let Some([lost, rpo, outage, unmirrored, compliance, refused, applied, uncopied]) = found {
                figures = Figures {
                    posts_lost: lost,
                    rpo_s: rpo,
                    outage_s: outage,
                    unmirrored_s: unmirrored,
                    compliance_lost: compliance,
                    posts_refused: refused,
                    backups_applied: applied,
                    uncopied_posts: uncopied,
                    from_file: true,
                };
            }
        }
        // What the file lacks, from the events.
        if let Some(failure_s) = failover.failure_s {
            let back_s = failover.back_s.unwrap_or(horizon_s).min(horizon_s);
            figures.outage_s = figures.outage_s.or(Some((back_s - failure_s).max(0.0)));
            if let Some(failed_over) = failover.failed_over_s {
                let mirrored = failover.mirrored_s.unwrap_or(horizon_s).min(horizon_s);
                figures.unmirrored_s = figures.unmirrored_s.or(Some((mirrored - failed_over).max(0.0)));
            }
            figures.rpo_s = figures.rpo_s.or(Some(failure_s - failover.last_backup_s.unwrap_or(0.0)));
            let detail_count = failover.failure_detail.split_once(';').and_then(|(_, rest)| first_number(rest));
            figures.posts_lost = figures.posts_lost.or(detail_count.map(|n| n as f64));
        }
        Ok(figures)
    }
}

pub struct Chart<'a> {
    trace: &'a Trace,
    scenario: String,
    replications: Option<u64>,
    failover: Failover,
    figures: Figures,
}

impl<'a> Chart<'a> {
    pub fn load(dir: &Path, trace: &'a Trace, summary: Option<&Summary>) -> Result<Chart<'a>> {
        let failover = Failover::new(&trace.events);
        let figures = Figures::load(dir, trace.replication, &failover, trace.horizon_s)?;
        Ok(Chart {
            trace,
            scenario: summary.map_or_else(String::new, |s| s.scenario.clone()),
            replications: summary.map(|s| s.replications),
            failover,
            figures,
        })
    }

    /// Where the lost posts start: `rpo_s` before the failure (back to the
    /// last copied backup when the share was lost), else the last backup.
    fn loss_start_s(&self) -> Option<f64> {
        let failure_s = self.failover.failure_s?;
        let from_rpo = self.figures.rpo_s.map(|rpo| failure_s - rpo);
        Some(from_rpo.or(self.failover.last_backup_s).unwrap_or(0.0).clamp(0.0, failure_s))
    }

    /// Whether posts were lost in backups taken but never copied: the loss
    /// reaches back beyond the last backup (C3, `backup_share_survives: false`).
    fn share_lost(&self) -> bool {
        match (self.loss_start_s(), self.failover.last_backup_s) {
            (Some(start), Some(backup)) => start < backup - 1e-3,
            _ => false,
        }
    }

    fn compliance_start_s(&self) -> Option<f64> {
        let failure_s = self.failover.failure_s?;
        Some(self.failover.last_adapter_s.unwrap_or(0.0).min(failure_s))
    }

    /// When the service came back, or the horizon if it did not.
    fn back_s(&self) -> Option<f64> {
        self.failover.failure_s?;
        Some(self.failover.back_s.unwrap_or(self.trace.horizon_s).min(self.trace.horizon_s))
    }

    fn mirrored_s(&self) -> Option<f64> {
        self.failover.failed_over_s?;
        Some(self.failover.mirrored_s.unwrap_or(self.trace.horizon_s).min(self.trace.horizon_s))
    }

    /// The zoomed span: from a little before the last log backup (or the
    /// start of what was lost) to a little after the mirror is installed; the
    /// whole run when no data centre was lost.
    fn window(&self) -> (f64, f64) {
        let horizon = self.trace.horizon_s;
        let Some(failure_s) = self.failover.failure_s else { return (0.0, horizon) };
        let starts = [self.loss_start_s(), self.compliance_start_s(), self.failover.last_backup_s];
        let start = starts.into_iter().flatten().fold(failure_s, f64::min);
        let last_step = self.failover.steps.iter().map(|s| s.end_s).fold(failure_s, f64::max);
        let end = match (self.failover.mirrored_s, self.failover.steps.len() < STEPS.len()) {
            (Some(m), _) => m.max(last_step).max(self.failover.back_s.unwrap_or(m)),
            // The runbook had not ended: show it up to the horizon.
            (None, true) => horizon,
            (None, false) => last_step,
        };
        let pad = ((end - start) * 0.04).max(30.0);
        ((start - pad).max(0.0), (end + pad).min(horizon).max(start + 1.0))
    }

    fn zoomed(&self) -> bool {
        let (start, end) = self.window();
        start > 0.0 || end < self.trace.horizon_s
    }
}

/// Maps simulated time to pixel columns between `x0` and `x1`.
#[derive(Clone, Copy)]
struct Scale {
    t0: f64,
    t1: f64,
    x0: i32,
    x1: i32,
}

impl Scale {
    fn x(&self, t: f64) -> i32 {
        let f = ((t - self.t0) / (self.t1 - self.t0)).clamp(0.0, 1.0);
        self.x0 + (f * (self.x1 - self.x0) as f64).round() as i32
    }

    fn shows(&self, start_s: f64, end_s: f64) -> bool {
        end_s >= self.t0 && start_s <= self.t1
    }
}

/// Tick spacings, in seconds, from a second to a year.
const TICK_STEPS: [f64; 26] = [
    1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1200.0, 1800.0, 3600.0, 7200.0, 10800.0,
    21600.0, 43200.0, 86400.0, 172800.0, 432000.0, 864000.0, 1728000.0, 4320000.0, 8640000.0, 31536000.0,
];

fn tick_step(span_s: f64, most: f64) -> f64 {
    let fits = TICK_STEPS.iter().find(|s| span_s / **s <= most).copied();
    fits.unwrap_or_else(|| 10f64.powf((span_s / most).log10().ceil()))
}

/// A moment of simulated time as a clock: `2:07`, `2:07:30`, or, in runs
/// longer than two days, `day 3, 13:52`.
fn clock(t: f64, seconds: bool, days: bool) -> String {
    let total = t.round().max(0.0) as u64;
    let (day, rest) = if days { (total / 86_400, total % 86_400) } else { (0, total) };
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    let hm = if seconds { format!("{h}:{m:02}:{s:02}") } else { format!("{h}:{m:02}") };
    if days { format!("day {day}, {hm}") } else { hm }
}

/// `text`, cut with "…" to fit `width` pixels; `None` if too little is left.
fn fit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    width: i32,
) -> Result<Option<String>>
where
    DB::ErrorType: 'static,
{
    if layout::text_width(area, text, style)? <= width {
        return Ok(Some(text.to_string()));
    }
    let chars: Vec<char> = text.chars().collect();
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let cut: String = chars[..mid].iter().collect::<String>() + "…";
        if layout::text_width(area, &cut, style)? <= width { lo = mid } else { hi = mid - 1 }
    }
    Ok((lo >= 12).then(|| chars[..lo].iter().collect::<String>().trim_end().to_string() + "…"))
}

fn rect<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
    style: ShapeStyle,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], style))?;
    Ok(())
}

fn line<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, points: Vec<(i32, i32)>, style: ShapeStyle) -> Result<()>
where
    DB::ErrorType: 'static,
{
    area.draw(&PathElement::new(points, style))?;
    Ok(())
}

/// Text placed beside a span `[x0, x1]` on row `y`: after it if it fits
/// before `right`; else inside it, on its `fill`, if it fits there; else
/// before it if it fits after `left`; else cut to the larger side. Text that
/// crosses the line at `avoid` gets a halo.
fn beside<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    (x0, x1): (i32, i32),
    (left, right, avoid): (i32, i32, Option<i32>),
    (y, fill): (i32, Option<RGBColor>),
    style: &TextStyle,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let width = layout::text_width(area, text, style)?;
    let (after, before) = (right - (x1 + 8), (x0 - 8) - left);
    if let Some(fill) = fill.filter(|_| width > after && width + 16 <= x1 - x0) {
        let ink = style::ink_on(fill);
        return layout::text(area, text, (x0 + 8, y), &style.color(&ink), HPos::Left, VPos::Center);
    }
    let after_side = width <= after || (width > before && after >= before);
    let (room, x, h) = if after_side { (after, x1 + 8, HPos::Left) } else { (before, x0 - 8, HPos::Right) };
    let Some(t) = fit(area, text, style, room)? else { return Ok(()) };
    let w = layout::text_width(area, &t, style)?;
    let (from, to) = if after_side { (x, x + w) } else { (x - w, x) };
    if avoid.is_some_and(|a| from <= a && a <= to) {
        rect(area, (from - 4, y - 9), (to + 4, y + 9), WHITE.mix(0.85).filled())?;
    }
    layout::text(area, &t, (x, y), style, h, VPos::Center)
}

/// The vertical plan of the chart, in pixels.
const TITLE_Y: i32 = 24;
const SUBTITLE_Y: i32 = 54;
const FIGURES_Y: i32 = 86;
const OVERVIEW_LEGEND_Y: i32 = 122;
const OVERVIEW_TOP: i32 = 138;
const OVERVIEW_BAR: i32 = 24;
const OVERVIEW_PITCH: i32 = 38;
const ZOOM_CAPTION_H: i32 = 30;
const BAND_LABEL_H: i32 = 24;
const GROUP_H: i32 = 24;
const AXIS_H: i32 = 30;
const FOOTNOTE_H: i32 = 54;

/// A row of the zoom panel.
enum Row<'s> {
    Status(usize),
    Group(&'static str),
    Jobs(JobKind),
    PostsLost,
    ComplianceLost,
    Step(&'s Step),
    Note(&'static str),
}

impl Row<'_> {
    /// Height relative to the others (group headings have a fixed height).
    fn weight(&self) -> f64 {
        match self {
            Row::Status(_) => 1.0,
            Row::Group(_) => 0.0,
            Row::Jobs(_) => 0.8,
            Row::PostsLost | Row::ComplianceLost | Row::Step(_) | Row::Note(_) => 1.0,
        }
    }
}

impl Draw for Chart<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (x0, x1) = (PLOT_LEFT as i32, (WIDTH - PLOT_RIGHT) as i32);
        self.header(root)?;
        let (start, end) = self.window();
        let zoom = Scale { t0: start, t1: end, x0, x1 };
        if !self.zoomed() {
            // Nothing to zoom into: the panel below is the whole run.
            let heading = style::heading();
            layout::text(root, "Server status", (24, OVERVIEW_LEGEND_Y), &heading, HPos::Left, VPos::Center)?;
            self.status_legend(root, x0)?;
            self.zoom_panel(root, zoom, OVERVIEW_LEGEND_Y + 14)?;
            return self.footnote(root);
        }
        let lanes = self.trace.servers.len().clamp(1, 3) as i32;
        let overview_bottom = OVERVIEW_TOP + lanes * OVERVIEW_PITCH - (OVERVIEW_PITCH - OVERVIEW_BAR - 10);
        let whole = Scale { t0: 0.0, t1: self.trace.horizon_s, x0, x1 };
        self.overview(root, whole, overview_bottom)?;
        let zoom_top = overview_bottom + 40;
        {
            let grey = RGBColor(0xB0, 0xB0, 0xB0).stroke_width(1);
            let (a, b) = (whole.x(start), whole.x(end));
            line(root, vec![(a, overview_bottom + 4), (a, overview_bottom + 14), (x0, zoom_top - 2)], grey)?;
            line(root, vec![(b, overview_bottom + 4), (b, overview_bottom + 14), (x1, zoom_top - 2)], grey)?;
        }
        self.zoom_panel(root, zoom, zoom_top)?;
        self.footnote(root)
    }
}

impl Chart<'_> {
    fn header<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let name = if self.scenario.is_empty() { String::new() } else { format!("{}: ", self.scenario) };
        let what = match self.failover.failure_s {
            Some(_) => "data-centre loss, manual failover and what was lost",
            None => "chat pool over time",
        };
        layout::text(root, &format!("{name}{what}"), (24, TITLE_Y), &style::title(), HPos::Left, VPos::Center)?;
        let t = self.trace;
        let which = match (t.traced_replications, self.replications) {
            (n, _) if n > 1 => format!("Replication {}, the first of {n} traced replications", t.replication),
            (_, Some(total)) if total > 1 => format!("Replication {} of {total} (the one traced)", t.replication),
            _ => format!("Replication {}", t.replication),
        };
        let failure = match (self.failover.failure_s, &self.failover.failed_server) {
            (Some(f), server) => {
                let whose = server.as_deref().map_or(String::new(), |s| format!(" ({s})"));
                format!(
                    " The primary data centre{whose} is lost at {}; an administrator fails over to the backup by hand.",
                    clock(f, true, self.days())
                )
            }
            (None, _) => " No data centre was lost in this replication.".into(),
        };
        let subtitle = format!("{which}; {} simulated.{failure}", style::duration(t.horizon_s));
        layout::text(root, &subtitle, (24, SUBTITLE_Y), &style::label(), HPos::Left, VPos::Center)?;
        self.figures_row(root)
    }

    fn days(&self) -> bool {
        self.trace.horizon_s > 2.0 * 86_400.0
    }

    /// The traced replication's figures, as "name value" pairs.
    fn figures_row<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let f = &self.figures;
        let count = |v: Option<f64>| v.map(style::number);
        let time = |v: Option<f64>| v.map(style::duration);
        // Periods the run cut short are lower bounds; one that never began
        // is left out.
        let failed = self.failover.failure_s.is_some();
        let at_least = |v: Option<String>, cut: bool| v.map(|v| if cut { format!("≥ {v}") } else { v });
        let back = self.failover.back_s.is_some();
        let failed_over = self.failover.failed_over_s.is_some();
        let outage = at_least(time(f.outage_s), failed && !back);
        let unmirrored = at_least(time(f.unmirrored_s), failed_over && self.failover.mirrored_s.is_none());
        let items = [
            ("posts lost", count(f.posts_lost)),
            ("rpo (data-loss window)", time(f.rpo_s)),
            ("outage (RTO)", outage),
            ("unmirrored", unmirrored.filter(|_| failed_over || !failed)),
            ("compliance records lost", count(f.compliance_lost)),
            ("posts refused", count(f.posts_refused)),
            ("backups applied by hand", count(f.backups_applied)),
        ];
        let lead = if f.from_file { "This replication:" } else { "From the events:" };
        let (small, bold) = (style::small(), style::heading());
        layout::text(root, lead, (24, FIGURES_Y), &small, HPos::Left, VPos::Center)?;
        let mut x = 24 + layout::text_width(root, lead, &small)? + 16;
        for (name, value) in items {
            let Some(value) = value else { continue };
            layout::text(root, name, (x, FIGURES_Y), &small, HPos::Left, VPos::Center)?;
            x += layout::text_width(root, name, &small)? + 6;
            layout::text(root, &value, (x, FIGURES_Y), &bold, HPos::Left, VPos::Center)?;
            x += layout::text_width(root, &value, &bold)? + 28;
        }
        Ok(())
    }

    /// The whole run: one status lane per server, the data-centre loss under
    /// its server, and the zoomed span outlined.
    fn overview<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, scale: Scale, bottom: i32) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let heading = style::heading();
        layout::text(root, "Whole run", (24, OVERVIEW_LEGEND_Y), &heading, HPos::Left, VPos::Center)?;
        self.status_legend(root, scale.x0)?;
        let columns = (scale.x1 - scale.x0).max(1) as usize;
        let statuses = &self.trace.statuses;
        for (i, segments) in self.trace.segments.iter().take(3).enumerate() {
            let top = OVERVIEW_TOP + i as i32 * OVERVIEW_PITCH;
            let mut runs = timeline::status_runs(segments, self.trace.horizon_s, columns, &statuses.routine);
            runs.sort_by_key(|r| !statuses.is_routine(&r.value));
            for r in &runs {
                let (a, b) = (scale.x(r.start_s), scale.x(r.end_s));
                let b = if statuses.is_routine(&r.value) { b } else { b.max(a + 3) };
                rect(root, (a, top), (b, top + OVERVIEW_BAR), statuses.color(&r.value).filled())?;
            }
            self.status_names(root, scale, segments, top + OVERVIEW_BAR / 2)?;
            let server = &self.trace.servers[i];
            let at = (scale.x0 - 12, top + OVERVIEW_BAR / 2);
            layout::text(root, server, at, &heading, HPos::Right, VPos::Center)?;
            for fault in self.trace.faults.iter().filter(|f| f.server.as_deref() == Some(server.as_str())) {
                let strip_top = top + OVERVIEW_BAR + 3;
                let (a, b) = (scale.x(fault.start_s), scale.x(fault.end_s).max(scale.x(fault.start_s) + 3));
                rect(root, (a, strip_top), (b, strip_top + 6), style::fault_color(fault.kind).filled())?;
            }
        }
        self.time_axis(root, scale, bottom, false)?;
        if self.zoomed() {
            let (start, end) = self.window();
            let (a, b) = (scale.x(start), scale.x(end).max(scale.x(start) + 2));
            rect(root, (a - 1, OVERVIEW_TOP - 5), (b + 1, bottom - 6), WINDOW.stroke_width(2))?;
        }
        Ok(())
    }

    /// The statuses' colours, and the data-centre loss's strip.
    fn status_legend<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, x: i32) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let mut items: Vec<(Swatch, String)> =
            self.trace.statuses.legend.iter().map(|(name, color)| (Swatch::Box(*color), name.clone())).collect();
        if self.failover.failure_s.is_some() {
            let kind = FaultKind::DataCentreLoss;
            items.push((Swatch::Strip(style::fault_color(kind)), style::fault_name(kind).to_string()));
        }
        layout::legend_row(root, (x, OVERVIEW_LEGEND_Y), &items)?;
        Ok(())
    }

    /// Status names written inside their bars, where they fit.
    fn status_names<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        scale: Scale,
        segments: &[timeline::Segment],
        y: i32,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let small = style::small();
        for seg in segments.iter().filter(|s| scale.shows(s.start_s, s.end_s)) {
            let (a, b) = (scale.x(seg.start_s), scale.x(seg.end_s));
            let width = layout::text_width(root, &seg.status, &small)?;
            if width + 12 <= b - a {
                let ink = style::ink_on(self.trace.statuses.color(&seg.status));
                layout::text(root, &seg.status, ((a + b) / 2, y), &small.color(&ink), HPos::Center, VPos::Center)?;
            }
        }
        Ok(())
    }

    /// The ticks of a time axis and their labels: h:mm, or days on the
    /// whole of a long run; a zoom into one day of a long run names the day
    /// once, in the unit.
    fn ticks(&self, scale: Scale, zoom: bool) -> Vec<(f64, String)> {
        let step = tick_step(scale.t1 - scale.t0, 12.0);
        let in_days = !zoom && step >= 86_400.0;
        let seconds = step < 60.0;
        let one_day = zoom && self.days() && self.one_day(scale);
        let first = (scale.t0 / step).ceil() as i64;
        let last = ((scale.t1 + 1e-9) / step).floor() as i64;
        (first..=last)
            .map(|i| {
                let t = i as f64 * step;
                let label = match (in_days, one_day) {
                    (true, _) => style::number(t / 86_400.0),
                    (false, true) => clock(t % 86_400.0, seconds, false),
                    (false, false) => clock(t, seconds, self.days()),
                };
                (t, label)
            })
            .collect()
    }

    /// The time axis at `y`: tick labels under it, the unit in the left margin.
    fn time_axis<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        scale: Scale,
        y: i32,
        zoom: bool,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        line(root, vec![(scale.x0, y), (scale.x1, y)], style::MUTED.stroke_width(1))?;
        let small = style::small();
        for (t, label) in self.ticks(scale, zoom) {
            let x = scale.x(t);
            line(root, vec![(x, y), (x, y + 5)], style::MUTED.stroke_width(1))?;
            layout::text(root, &label, (x, y + 16), &small, HPos::Center, VPos::Center)?;
        }
        let in_days = !zoom && tick_step(scale.t1 - scale.t0, 12.0) >= 86_400.0;
        let one_day = zoom && self.days() && self.one_day(scale);
        let unit = match (in_days, one_day) {
            (true, _) => "time (days)".to_string(),
            (false, true) => format!("day {}, h:mm", (scale.t0 / 86_400.0).floor()),
            (false, false) => "time (h:mm)".to_string(),
        };
        layout::text(root, &unit, (scale.x0 - 30, y + 16), &style::note(), HPos::Right, VPos::Center)
    }

    fn rows(&self) -> Vec<Row<'_>> {
        let mut rows: Vec<Row> = (0..self.trace.servers.len().min(3)).map(Row::Status).collect();
        let kinds: Vec<JobKind> =
            JobKind::ALL.into_iter().filter(|k| self.failover.jobs.iter().any(|j| j.kind == *k)).collect();
        if !kinds.is_empty() {
            rows.push(Row::Group("Log shipping and compliance jobs"));
            rows.extend(kinds.into_iter().map(Row::Jobs));
        }
        if self.failover.failure_s.is_some() {
            rows.push(Row::Group("Lost with the primary data centre"));
            rows.push(Row::PostsLost);
            rows.push(Row::ComplianceLost);
        }
        if self.failover.steps.is_empty() && self.failover.failure_s.is_none() {
            return rows;
        }
        rows.push(Row::Group("Runbook (manual failover), one row per step"));
        if self.failover.steps.is_empty() {
            rows.push(Row::Note("No runbook step was traced."));
        }
        rows.extend(self.failover.steps.iter().map(Row::Step));
        if self.failover.failure_s.is_some() && self.failover.mirrored_s.is_none() {
            rows.push(Row::Note(if self.failover.back_s.is_none() {
                "The run ends before the runbook does: the service is not back by the end of the run."
            } else {
                "The run ends before the mirror is installed."
            }));
        }
        rows
    }

    /// The zoomed span: shaded periods behind every row, then the rows.
    fn zoom_panel<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, scale: Scale, top: i32) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let days = self.days();
        let caption = if self.zoomed() {
            format!("The failover, zoomed in: {} to {}", clock(scale.t0, false, days), clock(scale.t1, false, days))
        } else {
            "The whole run".to_string()
        };
        let caption_y = top + ZOOM_CAPTION_H / 2 - 4;
        layout::text(root, &caption, (24, caption_y), &style::heading(), HPos::Left, VPos::Center)?;
        let mut legend = vec![];
        for (start, end, color, _, _, name) in self.periods() {
            if scale.shows(start, end) {
                let name = if color == OUTAGE { "outage: service down" } else { name };
                legend.push((Swatch::Band(color, 0.25), name.to_string()));
            }
        }
        let idle = self.failover.jobs.iter().any(|j| j.moved == Some(0) && scale.shows(j.time_s, j.time_s));
        if idle {
            legend.push((Swatch::Tick(IDLE), "a job run that moved nothing".to_string()));
        }
        if self.failover.steps.iter().any(|s| s.end_s <= s.start_s) {
            legend.push((Swatch::Diamond(STEP), "a step that took no time".to_string()));
        }
        let after = 24 + layout::text_width(root, &caption, &style::heading())? + 40;
        layout::legend_row(root, (after.max(PLOT_LEFT as i32 + 360), caption_y), &legend)?;

        let rows = self.rows();
        let band_top = top + ZOOM_CAPTION_H;
        let rows_top = band_top + BAND_LABEL_H;
        let axis_y = HEIGHT as i32 - FOOTNOTE_H - AXIS_H;
        let groups = rows.iter().filter(|r| matches!(r, Row::Group(_))).count() as i32;
        let weights: f64 = rows.iter().map(Row::weight).sum();
        let room = (axis_y - 4 - rows_top - groups * GROUP_H).max(1) as f64;
        // Rows of a failover share the room up to a readable height; the
        // few rows of a run without one fill the chart.
        let most = if self.failover.failure_s.is_some() { 44.0 } else { f64::INFINITY };
        let unit = (room / weights.max(1.0)).min(most);
        // Rows centred vertically when they are capped.
        let used = groups * GROUP_H + (unit * weights).round() as i32;
        let rows_top = rows_top + ((axis_y - 4 - rows_top - used) / 2).max(0);

        for (t, _) in self.ticks(scale, true) {
            let x = scale.x(t);
            line(root, vec![(x, rows_top), (x, axis_y)], style::GRID.stroke_width(1))?;
        }
        self.bands(root, scale, band_top, axis_y)?;
        let failure_label_end = self.failure_label(root, scale, band_top)?;
        let mut y = rows_top as f64;
        let mut placed = vec![];
        for row in &rows {
            let height = if let Row::Group(_) = row { GROUP_H as f64 } else { unit * row.weight() };
            placed.push((y, height));
            y += height;
        }
        for (row, (y, _)) in rows.iter().zip(&placed) {
            if let Row::Group(_) = row {
                let y = (*y + 4.0) as i32;
                line(root, vec![(24, y), (scale.x1, y)], RGBColor(0xD0, 0xD0, 0xD0).stroke_width(1))?;
            }
        }
        self.failure_line(root, scale, band_top, axis_y)?;
        self.band_labels(root, scale, band_top, failure_label_end)?;
        for (row, (y, h)) in rows.iter().zip(&placed) {
            let middle = (y + h / 2.0).round() as i32;
            self.row(root, scale, row, middle, *h)?;
        }
        self.time_axis(root, scale, axis_y, true)
    }

    /// The outage and the unmirrored period: span, colour, shading, length
    /// and name.
    fn periods(&self) -> Vec<(f64, f64, RGBColor, f64, f64, &'static str)> {
        let (Some(failure), Some(back)) = (self.failover.failure_s, self.back_s()) else { return vec![] };
        let outage = self.figures.outage_s.unwrap_or(back - failure);
        let mut spans = vec![(failure, back, OUTAGE, OUTAGE_ALPHA, outage, "outage (service down)")];
        if let (Some(failed_over), Some(mirrored)) = (self.failover.failed_over_s, self.mirrored_s()) {
            let unmirrored = self.figures.unmirrored_s.unwrap_or(mirrored - failed_over);
            spans.push((failed_over, mirrored, UNMIRRORED, UNMIRRORED_ALPHA, unmirrored, "running unmirrored"));
        }
        spans
    }

    /// The outage and unmirrored periods, shaded from the band labels down
    /// to the axis.
    fn bands<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        scale: Scale,
        top: i32,
        bottom: i32,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        for (start, end, color, alpha, _, _) in self.periods() {
            if scale.shows(start, end) {
                rect(root, (scale.x(start), top), (scale.x(end), bottom), color.mix(alpha).filled())?;
            }
        }
        Ok(())
    }

    /// Each period's name and length above it, right of `from` (where the
    /// failure's label ends), shortened to what fits.
    fn band_labels<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        scale: Scale,
        top: i32,
        from: i32,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let label_y = top + BAND_LABEL_H / 2;
        let unfinished = self.failover.back_s.is_none();
        // The unmirrored period lies inside the outage in the seed's order:
        // each label starts after the one before it.
        let mut left = from;
        for (start, end, color, _, seconds, name) in self.periods() {
            if !scale.shows(start, end) {
                continue;
            }
            let (a, b) = (scale.x(start).max(left), scale.x(end));
            let cut = if name.starts_with("outage") { unfinished } else { self.failover.mirrored_s.is_none() };
            let at_least = if cut { "≥ " } else { "" };
            let length = format!("{at_least}{}", style::duration(seconds));
            let heading = style::heading().color(&color);
            let long = format!("{name}: {length}");
            for text in [long.as_str(), length.as_str()] {
                let width = layout::text_width(root, text, &heading)?;
                if width + 8 <= b - a {
                    layout::text(root, text, (a + 4, label_y), &heading, HPos::Left, VPos::Center)?;
                    left = a + 4 + width + 16;
                    break;
                }
            }
        }
        Ok(())
    }

    /// The failure as a vertical line.
    fn failure_line<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        scale: Scale,
        top: i32,
        bottom: i32,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let Some(failure) = self.failover.failure_s else { return Ok(()) };
        let x = scale.x(failure);
        rect(root, (x - 1, top), (x + 1, bottom), OUTAGE.filled())
    }

    /// Names the failure at the top of its line: left of it if there is
    /// room, else right of it. Returns where the label ends on the right.
    fn failure_label<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, scale: Scale, top: i32) -> Result<i32>
    where
        DB::ErrorType: 'static,
    {
        let Some(failure) = self.failover.failure_s else { return Ok(scale.x0) };
        let x = scale.x(failure);
        let at = if self.days() && self.one_day(scale) {
            clock(failure % 86_400.0, true, false)
        } else {
            clock(failure, true, self.days())
        };
        let label = format!("data centre lost {at}");
        let heading = style::heading().color(&OUTAGE);
        let width = layout::text_width(root, &label, &heading)?;
        let y = top + BAND_LABEL_H / 2;
        if width + 8 <= x - scale.x0 {
            layout::text(root, &label, (x - 8, y), &heading, HPos::Right, VPos::Center)?;
            Ok(x)
        } else {
            layout::text(root, &label, (x + 8, y), &heading, HPos::Left, VPos::Center)?;
            Ok(x + 8 + width + 8)
        }
    }

    /// Whether the zoom shows a single day of a long run (its day is then
    /// named once, in the axis's unit).
    fn one_day(&self, scale: Scale) -> bool {
        (scale.t0 / 86_400.0).floor() == (scale.t1 / 86_400.0).floor()
    }

    fn row<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        scale: Scale,
        row: &Row,
        y: i32,
        height: f64,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (small, note) = (style::small(), style::note());
        let name_at = (scale.x0 - 12, y);
        let half = ((height * 0.34).round() as i32).max(4);
        match row {
            Row::Group(title) => {
                layout::text(root, title, (24, y + 2), &style::heading(), HPos::Left, VPos::Center)?;
            }
            Row::Note(text) => {
                // After the last step, else at the left on a halo.
                let last = self.failover.steps.last().map(|s| scale.x(s.end_s) + 12);
                let width = layout::text_width(root, text, &note)?;
                match last.filter(|x| x + width <= scale.x1) {
                    Some(x) => layout::text(root, text, (x, y), &note, HPos::Left, VPos::Center)?,
                    None => {
                        let x = scale.x0 + 12;
                        rect(root, (x - 4, y - 9), (x + width + 4, y + 9), WHITE.mix(0.85).filled())?;
                        layout::text(root, text, (x, y), &note, HPos::Left, VPos::Center)?;
                    }
                }
            }
            Row::Status(i) => {
                let segments = &self.trace.segments[*i];
                for seg in segments.iter().filter(|s| scale.shows(s.start_s, s.end_s)) {
                    let (a, b) = (scale.x(seg.start_s), scale.x(seg.end_s));
                    let color = self.trace.statuses.color(&seg.status);
                    rect(root, (a, y - half), (b.max(a + 1), y + half), color.filled())?;
                }
                self.status_names(root, scale, segments, y)?;
                layout::text(root, &self.trace.servers[*i], name_at, &style::heading(), HPos::Right, VPos::Center)?;
            }
            Row::Jobs(kind) => {
                layout::text(root, kind.row_name(), name_at, &small, HPos::Right, VPos::Center)?;
                self.job_ticks(root, scale, *kind, y, half)?;
            }
            Row::PostsLost => {
                layout::text(root, "posts", name_at, &small, HPos::Right, VPos::Center)?;
                self.posts_lost(root, scale, y, half)?;
            }
            Row::ComplianceLost => {
                layout::text(root, "compliance records", name_at, &small, HPos::Right, VPos::Center)?;
                self.compliance_lost(root, scale, y, half)?;
            }
            Row::Step(step) => {
                layout::text(root, &step.name, name_at, &small, HPos::Right, VPos::Center)?;
                let (a, b) = (scale.x(step.start_s), scale.x(step.end_s));
                let length = step.end_s - step.start_s;
                if length <= 0.0 {
                    root.draw(&layout::diamond((a, y), half.min(7), STEP))?;
                } else {
                    rect(root, (a, y - half), (b.max(a + 2), y + half), STEP.filled())?;
                }
                let (a, b) = if length <= 0.0 { (a - 7, a + 7) } else { (a, b.max(a + 2)) };
                let text = format!("{} · {}", style::duration(length), step.detail);
                let fill = (length > 0.0).then_some(STEP);
                let avoid = self.failover.failure_s.map(|f| scale.x(f));
                beside(root, &text, (a, b), (scale.x0, scale.x1, avoid), (y, fill), &small)?;
            }
        }
        Ok(())
    }

    /// One job's runs in the window: a tick each, grey when it moved
    /// nothing, with what it moved beside it where there is room.
    fn job_ticks<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        scale: Scale,
        kind: JobKind,
        y: i32,
        half: i32,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let runs: Vec<&Job> =
            self.failover.jobs.iter().filter(|j| j.kind == kind && scale.shows(j.time_s, j.time_s)).collect();
        let note = style::note();
        // The run before the window, which the jobs in it follow on from.
        let earlier = self.failover.jobs.iter().rfind(|j| j.kind == kind && j.time_s < scale.t0);
        if let Some(job) = earlier {
            let moved = job.moved.map_or(String::new(), |n| format!(", {}", kind.moved(n)));
            let text = format!("◂ last before: {}{moved}", clock(job.time_s, true, self.days()));
            let first = runs.first().map_or(scale.x1, |j| scale.x(j.time_s));
            let width = layout::text_width(root, &text, &note)?;
            if scale.x0 + 6 + width + 10 <= first {
                // On a halo: it may cross the failure's line and the shading.
                rect(root, (scale.x0 + 2, y - 9), (scale.x0 + 10 + width, y + 9), WHITE.mix(0.85).filled())?;
                layout::text(root, &text, (scale.x0 + 6, y), &note, HPos::Left, VPos::Center)?;
            }
        }
        let failure_x = self.failover.failure_s.map(|f| scale.x(f));
        for (i, job) in runs.iter().enumerate() {
            let x = scale.x(job.time_s);
            let idle = job.moved == Some(0);
            let (color, reach) = if idle { (IDLE, half * 2 / 3) } else { (kind.color(), half + 2) };
            rect(root, (x - 1, y - reach), (x + 1, y + reach), color.filled())?;
            let Some(moved) = job.moved else { continue };
            let label = kind.moved(moved);
            let next = runs.get(i + 1).map_or(scale.x1, |n| scale.x(n.time_s));
            // A run before the failure is labelled before its line.
            let next = match failure_x {
                Some(f) if x < f => next.min(f),
                _ => next,
            };
            if x + 6 + layout::text_width(root, &label, &note)? + 6 <= next {
                let color = kind.color();
                let ink = if idle { note.clone() } else { style::small().color(&color) };
                layout::text(root, &label, (x + 6, y), &ink, HPos::Left, VPos::Center)?;
            }
        }
        Ok(())
    }

    /// The posts lost: from the last log backup taken (or, with the share
    /// lost, the last one copied) to the failure.
    fn posts_lost<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        scale: Scale,
        y: i32,
        half: i32,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (Some(failure), Some(start)) = (self.failover.failure_s, self.loss_start_s()) else { return Ok(()) };
        let (a, b) = (scale.x(start), scale.x(failure));
        let days = self.days();
        let lost =
            self.figures.posts_lost.map_or_else(|| "Posts".to_string(), |n| format!("{} posts", style::number(n)));
        let rpo = style::duration(failure - start);
        let text = match (self.share_lost(), self.failover.last_backup_s) {
            (true, Some(backup)) => {
                let m = scale.x(backup);
                rect(root, (a, y - half), (m, y + half), LOST.mix(0.30).filled())?;
                rect(root, (m, y - half), (b, y + half), LOST.mix(0.65).filled())?;
                let split = match (self.figures.uncopied_posts, self.figures.posts_lost) {
                    (Some(uncopied), Some(all)) => format!(
                        ": {} in log backups never copied (the share was lost with the site), {} since the {} backup",
                        style::number(uncopied),
                        style::number((all - uncopied).max(0.0)),
                        clock(backup, true, days)
                    ),
                    _ => format!(
                        " back to the last copied log backup, {} (the share was lost)",
                        clock(start, true, days)
                    ),
                };
                format!("← {lost} lost{split}; rpo {rpo}")
            }
            _ => {
                rect(root, (a, y - half), (b.max(a + 1), y + half), LOST.mix(0.65).filled())?;
                let since = match self.failover.last_backup_s {
                    Some(backup) => format!("since the {} log backup", clock(backup, true, days)),
                    None => "since the start: no log backup had been taken".to_string(),
                };
                format!("← {lost} lost, every post {since} (rpo {rpo})")
            }
        };
        rect(root, (a, y - half), (b.max(a + 1), y + half), LOST.stroke_width(1))?;
        beside(root, &text, (a, b), (scale.x0, scale.x1, None), (y, None), &style::small())
    }

    /// The compliance records lost: from the adapter's last run to the failure.
    fn compliance_lost<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        scale: Scale,
        y: i32,
        half: i32,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (Some(failure), Some(start)) = (self.failover.failure_s, self.compliance_start_s()) else { return Ok(()) };
        let (a, b) = (scale.x(start), scale.x(failure));
        rect(root, (a, y - half), (b.max(a + 1), y + half), COMPLIANCE.mix(0.55).filled())?;
        rect(root, (a, y - half), (b.max(a + 1), y + half), COMPLIANCE.stroke_width(1))?;
        let lost = self
            .figures
            .compliance_lost
            .map_or_else(|| "Compliance records".to_string(), |n| format!("{} compliance records", style::number(n)));
        let since = match self.failover.last_adapter_s {
            Some(t) => format!("since the adapter's {} run", clock(t, true, self.days())),
            None => "since the start: the adapter had not run".to_string(),
        };
        let text = format!("← {lost} lost, not yet processed {since} (mgccomp is not failed over)");
        beside(root, &text, (a, b), (scale.x0, scale.x1, None), (y, None), &style::small())
    }

    fn footnote<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let y = HEIGHT as i32 - FOOTNOTE_H + 12;
        let first = "Each runbook step is drawn from the previous step's event (the first from the failure) to its \
                     own, with the seed's command, in the order they ran (the seed's: the mirror before the active servers, \
                     unless runbook.mirror puts it after).";
        let source = if self.figures.from_file {
            format!("replications.csv, replication {}", self.trace.replication)
        } else {
            "the events (replications.csv has no row for this replication)".to_string()
        };
        let second = format!(
            "Posts are lost back to the last log backup taken (to the last one copied if the backup share is lost); \
             compliance records back to the adapter's last run. Figures from {source}."
        );
        let note = style::note();
        if self.failover.failure_s.is_none() {
            let only = "Ticks are the runs of the periodic jobs (rules C2, C5). No data centre was lost, so no runbook \
                        ran and nothing was lost.";
            return layout::text(root, only, (24, y), &note, HPos::Left, VPos::Center);
        }
        layout::text(root, first, (24, y), &note, HPos::Left, VPos::Center)?;
        layout::text(root, &second, (24, y + 22), &note, HPos::Left, VPos::Center)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(time_s: f64, server: &str, name: &str, detail: &str) -> Event {
        Event { time_s, server: server.into(), event: name.into(), detail: detail.into() }
    }

    #[test]
    fn steps_run_from_the_previous_runbook_event_and_jobs_stop_at_the_failure() {
        let events = [
            event(900.0, "mgc_primary", "log_backup", "transaction log backup of 479 post(s)"),
            event(1200.0, "mgc_primary", "compliance_adapter", "166 compliance record(s) processed"),
            event(1300.0, "mgc_primary", "datacenter_down", "lost; 266 post(s) not in a log backup"),
            event(1800.0, "mgc_backup", "log_copy", "0 backup file(s) copied"),
            event(2200.0, "mgc_backup", "runbook_decided", "an administrator decides"),
            event(2300.0, "mgc_backup", "runbook_log_shipping_removed", "step 1"),
            event(2300.0, "mgc_backup", "runbook_backups_copied", "step 2 (0 file(s))"),
            event(2500.0, "mgc_backup", "runbook_active_servers_set", "step 7"),
        ];
        let f = Failover::new(&events);
        let spans: Vec<_> = f.steps.iter().map(|s| (s.name.as_str(), s.start_s, s.end_s)).collect();
        assert_eq!(
            spans,
            [
                ("decide", 1300.0, 2200.0),
                ("remove log shipping", 2200.0, 2300.0),
                ("copy backups", 2300.0, 2300.0),
                ("active servers", 2300.0, 2500.0)
            ]
        );
        assert_eq!((f.failure_s, f.back_s, f.mirrored_s), (Some(1300.0), Some(2500.0), None));
        assert_eq!((f.last_backup_s, f.last_adapter_s), (Some(900.0), Some(1200.0)));
        let moved: Vec<_> = f.jobs.iter().map(|j| j.moved).collect();
        assert_eq!(moved, [Some(479), Some(166), Some(0)]);
    }

    #[test]
    fn clocks_read_as_hours_and_minutes() {
        assert_eq!(clock(7650.0, true, false), "2:07:30");
        assert_eq!(clock(7200.0, false, false), "2:00");
        assert_eq!(clock(49_927.0, false, false), "13:52");
        assert_eq!(clock(3.0 * 86_400.0 + 49_927.0, false, true), "day 3, 13:52");
    }

    #[test]
    fn tick_steps_are_round() {
        assert_eq!(tick_step(3300.0, 12.0), 300.0);
        assert_eq!(tick_step(21_600.0, 12.0), 1800.0);
        assert_eq!(tick_step(365.0 * 86_400.0, 12.0), 4_320_000.0);
    }

    #[test]
    fn unknown_runbook_events_keep_a_readable_name() {
        assert_eq!(step_name("runbook_database_online"), "restore with recovery");
        assert_eq!(step_name("runbook_dns_updated"), "dns updated");
    }
}
