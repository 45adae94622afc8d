//! Persistent Chat with manual failover (rules C1–C5, docs/model.md), on the same
//! engine as the voice cluster.
//!
//! ```text
//!  primary DC:  mgc (+ mirror) ──log backup every b──▶ share ──copy every c──▶ backup DC: mgc (restoring)
//!               mgccomp ──adapter every a──▶ (processed)           restore every r ──┘
//!  datacenter_down ▶ decide ▶ (1) remove log shipping ▶ (2) copy ▶ (3) apply each ▶ (4) with recovery
//!                  ▶ (5) FailedOver ▶ (6) install mirror ▶ (7) active servers: service back
//!                    unmirrored from the end of 5 to the end of 6; down until the end of 7
//! ```
//! `runbook.mirror: after_active_servers` runs step 7 before step 6: the
//! service comes back sooner and runs unmirrored meanwhile.
//! Log backups, copies and restores move whole batches in order, so three
//! counters (posts since the last backup, backups not yet copied, backups not
//! yet restored) describe the log-shipping chain exactly.

use super::trace::{Actor, DbStatus, EventKind, Fields, State, Tracer};
use super::{Run, RunOptions};
use crate::engine::rng::{self, StreamRng};
use crate::engine::{self, LimitError, Limits, Model, Scheduler, Time, from_secs, to_secs};
use crate::scenario::ChatScenario;
use crate::scenario::chat::{MirrorOrder, Step};
use rand::RngExt;
use rand_distr::Exp1;

pub use crate::metrics::CHAT as METRICS;

const PRIMARY_DB: Actor = Actor::MgcPrimary;
const BACKUP_DB: Actor = Actor::MgcBackup;

/// Random streams: posts, the runbook's step durations and the per-backup
/// apply durations apart (R21 in spirit).
mod streams {
    pub const POSTS: u64 = 0;
    pub const RUNBOOK: u64 = 1;
    pub const APPLY: u64 = 2;
}

/// The periodic jobs, in the order they run when due at the same instant: a
/// backup is copied by a copy due with it, and restored by a restore due with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Job {
    Backup,
    Copy,
    Restore,
    Adapter,
}

const JOBS: [Job; 4] = [Job::Backup, Job::Copy, Job::Restore, Job::Adapter];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ev {
    Post,
    /// Every job due now, in [`JOBS`] order.
    Jobs,
    DataCentreDown,
    /// The `i`-th step of the runbook, in execution order, has finished.
    StepDone(u8),
}

/// The runbook's steps (C4), in the seed's order: decide, then steps 1–7.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RunbookStep {
    Decide,
    RemoveLogShipping,
    CopyBackups,
    ApplyBackups,
    BringOnline,
    SetPoolState,
    InstallMirror,
    SetActiveServers,
}

impl RunbookStep {
    /// The seed's order; [`MirrorOrder::AfterActiveServers`] swaps the last two.
    const SEED_ORDER: [RunbookStep; 8] = [
        RunbookStep::Decide,
        RunbookStep::RemoveLogShipping,
        RunbookStep::CopyBackups,
        RunbookStep::ApplyBackups,
        RunbookStep::BringOnline,
        RunbookStep::SetPoolState,
        RunbookStep::InstallMirror,
        RunbookStep::SetActiveServers,
    ];

    /// The event a finished step logs, and what the seed has the administrator do.
    fn event(self) -> (EventKind, &'static str) {
        match self {
            RunbookStep::Decide => {
                (EventKind::RunbookDecided, "an administrator decides to fail over to the backup data centre")
            }
            RunbookStep::RemoveLogShipping => {
                (EventKind::RunbookLogShippingRemoved, "step 1: exec sp_delete_log_shipping_secondary_database mgc")
            }
            RunbookStep::CopyBackups => {
                (EventKind::RunbookBackupsCopied, "step 2: copy the backup files not yet copied")
            }
            RunbookStep::ApplyBackups => {
                (EventKind::RunbookBackupsApplied, "step 3: apply the unapplied transaction log backups in order")
            }
            RunbookStep::BringOnline => {
                (EventKind::RunbookDatabaseOnline, "step 4: restore database mgc with recovery")
            }
            RunbookStep::SetPoolState => (
                EventKind::RunbookPoolFailedOver,
                "step 5: Set-CsPersistentChatState -Identity \"service:atl-cs-001.litwareinc.com\" -PoolState FailedOver",
            ),
            RunbookStep::InstallMirror => (EventKind::RunbookMirrorInstalled, "step 6: Install-CsMirrorDatabase"),
            RunbookStep::SetActiveServers => (
                EventKind::RunbookActiveServersSet,
                "step 7: Set-CsPersistentChatActiveServer: the failover is complete",
            ),
        }
    }
}

/// Backups (and the posts in them) at one stage of the log-shipping chain.
/// `measured` counts the posts that arrived in the measured window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Batch {
    backups: u64,
    posts: u64,
    measured: u64,
}

impl Batch {
    fn take(&mut self) -> Batch {
        std::mem::take(self)
    }
    fn add(&mut self, other: Batch) {
        self.backups += other.backups;
        self.posts += other.posts;
        self.measured += other.measured;
    }
}

/// Posts (or compliance records) since a job last ran: all, and those measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Pending {
    all: u64,
    measured: u64,
}

impl Pending {
    fn add(&mut self, measured: bool) {
        self.all += 1;
        self.measured += measured as u64;
    }
}

struct Chat<T: Tracer> {
    horizon: Time,
    /// Metrics cover [from, to): posts that arrive in it, time within it.
    from: Time,
    to: Time,
    post_mean_us: f64,
    intervals: [Time; 4],
    share_survives: bool,
    /// The runbook's steps in the order they run.
    order: [RunbookStep; 8],
    /// Drawn durations, by step in the seed's order (apply's is drawn per backup).
    steps: [Time; 8],
    apply: Step,
    rng: StreamRng,
    apply_rng: StreamRng,
    /// When each job is next due (`None`: it has stopped).
    next_due: [Option<Time>; 4],
    // State.
    primary_up: bool,
    service_up: bool,
    shipping: bool,
    since_backup: Pending,
    last_backup_at: Time,
    last_copied_backup_at: Time,
    uncopied: Batch,
    unrestored: Batch,
    since_adapter: Pending,
    failed_at: Option<Time>,
    /// Step 5 done: the backup database acts as primary, unmirrored.
    failed_over_at: Option<Time>,
    mirrored_at: Option<Time>,
    /// Step 7 done: the service is back.
    back_at: Option<Time>,
    // Tallies (measured only).
    posts: u64,
    refused: u64,
    lost: u64,
    compliance_lost: u64,
    rpo: Time,
    applied: u64,
    uncopied_posts_at_failure: u64,
    trace: T,
}

fn draw(step: Step, rng: &mut StreamRng) -> Time {
    let (lo, hi) = (step.min.as_us(), step.max.as_us());
    if lo == hi { lo } else { Time::from_us(rng.random_range(lo.as_us()..=hi.as_us())) }
}

/// `[a, b)` clipped to `[from, to)`: its length.
fn overlap(a: Time, b: Time, from: Time, to: Time) -> Time {
    b.min(to).saturating_sub(a.max(from))
}

impl<T: Tracer> Chat<T> {
    fn new(s: &ChatScenario, replication: u64, trace: T) -> Chat<T> {
        let seed = rng::replication_seed(s.seed, replication);
        let mut runbook_rng = rng::stream(seed, streams::RUNBOOK);
        let steps = s.runbook.steps().map(|(_, step)| draw(step, &mut runbook_rng));
        let mut order = RunbookStep::SEED_ORDER;
        if s.runbook.mirror == MirrorOrder::AfterActiveServers {
            order.swap(6, 7);
        }
        let ls = &s.log_shipping;
        let window = crate::scenario::measure::window_of(s.duration, s.warmup, s.window);
        Chat {
            horizon: s.duration.as_us(),
            from: window.0,
            to: window.1,
            post_mean_us: if s.chat.posts_per_hour > 0.0 { 3.6e9 / s.chat.posts_per_hour } else { 0.0 },
            intervals: [ls.backup_interval, ls.copy_interval, ls.restore_interval, s.compliance.adapter_interval]
                .map(|d| d.as_us()),
            share_survives: s.backup_share_survives,
            order,
            steps,
            apply: s.runbook.apply_per_backup,
            rng: rng::stream(seed, streams::POSTS),
            apply_rng: rng::stream(seed, streams::APPLY),
            next_due: [None; 4],
            primary_up: true,
            service_up: true,
            shipping: true,
            since_backup: Pending::default(),
            last_backup_at: Time::ZERO,
            last_copied_backup_at: Time::ZERO,
            uncopied: Batch::default(),
            unrestored: Batch::default(),
            since_adapter: Pending::default(),
            failed_at: None,
            failed_over_at: None,
            mirrored_at: None,
            back_at: None,
            posts: 0,
            refused: 0,
            lost: 0,
            compliance_lost: 0,
            rpo: Time::ZERO,
            applied: 0,
            uncopied_posts_at_failure: 0,
            trace,
        }
    }

    fn start(&mut self, s: &ChatScenario, sched: &mut Scheduler<Ev>) {
        for (db, status) in [(PRIMARY_DB, DbStatus::OnlineMirrored), (BACKUP_DB, DbStatus::LogShipping)] {
            self.trace.event(Time::ZERO, db, EventKind::InitialStatus, Fields::status(State::Db(status)), || {
                status.as_str().into()
            });
        }
        self.schedule_post(sched);
        self.next_due = self.intervals.map(|i| Some(i).filter(|t| *t < self.horizon));
        self.schedule_jobs(sched);
        for f in &s.failures {
            // After any job due at the same instant.
            sched.schedule_late(f.at.as_us(), Ev::DataCentreDown);
        }
    }

    fn measured(&self, at: Time) -> bool {
        (self.from..self.to).contains(&at)
    }

    fn status(&mut self, at: Time, db: Actor, from: DbStatus, to: DbStatus, cause: &'static str) {
        self.trace.status(at, db, State::Db(from), State::Db(to), cause);
    }

    /// C1: the next post of the Poisson stream.
    fn schedule_post(&mut self, sched: &mut Scheduler<Ev>) {
        if self.post_mean_us > 0.0 {
            let gap: f64 = self.rng.sample(Exp1);
            let at = sched.now().saturating_add(from_secs(gap * self.post_mean_us / 1e6).max(Time::from_us(1)));
            if at < self.horizon {
                sched.schedule_at(at, Ev::Post);
            }
        }
    }

    fn on_post(&mut self, sched: &mut Scheduler<Ev>) {
        let measured = self.measured(sched.now());
        if self.service_up {
            self.posts += measured as u64;
            if self.primary_up {
                self.since_backup.add(measured);
                self.since_adapter.add(measured);
            }
        } else {
            self.refused += measured as u64;
        }
        self.schedule_post(sched);
    }

    fn schedule_jobs(&mut self, sched: &mut Scheduler<Ev>) {
        if let Some(next) = self.next_due.iter().flatten().min() {
            sched.schedule_at(*next, Ev::Jobs);
        }
    }

    /// C2, C5: every job due now, in order; each is due again an interval
    /// later while it still runs.
    fn on_jobs(&mut self, sched: &mut Scheduler<Ev>) {
        let now = sched.now();
        for (i, job) in JOBS.into_iter().enumerate() {
            if self.next_due[i] == Some(now) {
                let runs = self.run_job(job, now);
                self.next_due[i] = now.checked_add(self.intervals[i]).filter(|t| runs && *t < self.horizon);
            }
        }
        self.schedule_jobs(sched);
    }

    /// Runs `job` if it still runs; returns whether it does.
    fn run_job(&mut self, job: Job, now: Time) -> bool {
        let runs = match job {
            // On the primary: backups and the compliance adapter stop with it.
            Job::Backup | Job::Adapter => self.primary_up,
            // On the backup server: copies need the share, both need log shipping.
            Job::Copy => self.shipping && (self.primary_up || self.share_survives),
            Job::Restore => self.shipping,
        };
        if !runs {
            return false;
        }
        match job {
            Job::Backup => {
                let posts = std::mem::take(&mut self.since_backup);
                self.uncopied.add(Batch { backups: 1, posts: posts.all, measured: posts.measured });
                self.last_backup_at = now;
                self.trace.event(now, PRIMARY_DB, EventKind::LogBackup, Fields::count(posts.all), || {
                    format!("transaction log backup of {} post(s)", posts.all)
                });
            }
            Job::Copy => {
                let copied = self.uncopied.take();
                if copied.backups > 0 {
                    self.last_copied_backup_at = self.last_backup_at;
                }
                self.unrestored.add(copied);
                self.trace.event(now, BACKUP_DB, EventKind::LogCopy, Fields::count(copied.backups), || {
                    format!("{} backup file(s) copied", copied.backups)
                });
            }
            Job::Restore => {
                let restored = self.unrestored.take();
                self.trace.event(now, BACKUP_DB, EventKind::LogRestore, Fields::count(restored.backups), || {
                    format!("{} log backup(s) restored", restored.backups)
                });
            }
            Job::Adapter => {
                let records = std::mem::take(&mut self.since_adapter);
                self.trace.event(now, PRIMARY_DB, EventKind::ComplianceAdapter, Fields::count(records.all), || {
                    format!("{} compliance record(s) processed", records.all)
                });
            }
        }
        true
    }

    /// C3: the primary data centre is lost.
    fn on_down(&mut self, sched: &mut Scheduler<Ev>) {
        let now = sched.now();
        if !self.primary_up {
            return;
        }
        self.primary_up = false;
        self.service_up = false;
        self.failed_at = Some(now);
        let unbacked = std::mem::take(&mut self.since_backup);
        let mut lost = Batch { backups: 0, posts: unbacked.all, measured: unbacked.measured };
        let measured = self.measured(now);
        self.uncopied_posts_at_failure = if measured { self.uncopied.measured } else { 0 };
        let mut rpo = now - self.last_backup_at;
        if !self.share_survives {
            // Backups not yet copied were on the share: lost with it.
            lost.add(self.uncopied.take());
            rpo = now - self.last_copied_backup_at;
        }
        self.lost = lost.measured;
        self.rpo = if measured { rpo } else { Time::ZERO };
        self.compliance_lost = std::mem::take(&mut self.since_adapter).measured;
        let on_share = lost.posts - unbacked.all;
        self.trace.event(now, PRIMARY_DB, EventKind::DatacenterDown, Fields::count(lost.posts), || {
            let share = if on_share > 0 { format!(" and {on_share} in backups lost with the share") } else { String::new() };
            format!(
                "primary data centre lost: mgc, its mirror and the front ends; {} post(s) since the last log backup{share}",
                unbacked.all
            )
        });
        self.status(now, PRIMARY_DB, DbStatus::OnlineMirrored, DbStatus::Down, "datacenter_down");
        sched.schedule_in(self.step_duration(self.order[0]), Ev::StepDone(0));
    }

    /// C4: the `i`-th step (in execution order) has finished; start the next.
    fn on_step(&mut self, i: usize, sched: &mut Scheduler<Ev>) {
        let now = sched.now();
        let step = self.order[i];
        let (event, detail) = step.event();
        let (mut extra, mut count) = (String::new(), None);
        match step {
            RunbookStep::Decide => {
                self.status(now, BACKUP_DB, DbStatus::LogShipping, DbStatus::FailingOver, "runbook_decided")
            }
            RunbookStep::RemoveLogShipping => self.shipping = false,
            RunbookStep::CopyBackups if self.share_survives => {
                let copied = self.uncopied.take();
                extra = format!(" ({} file(s))", copied.backups);
                count = Some(copied.backups);
                self.unrestored.add(copied);
            }
            RunbookStep::CopyBackups => {}
            RunbookStep::ApplyBackups => {
                let applied = self.unrestored.take();
                if self.failed_at.is_some_and(|at| self.measured(at)) {
                    self.applied = applied.backups;
                }
                extra = format!(" ({} backup(s))", applied.backups);
                count = Some(applied.backups);
            }
            RunbookStep::BringOnline => {}
            RunbookStep::SetPoolState => {
                self.failed_over_at = Some(now);
                self.status(
                    now,
                    BACKUP_DB,
                    DbStatus::FailingOver,
                    DbStatus::OnlineUnmirrored,
                    "runbook_pool_failed_over",
                );
            }
            RunbookStep::InstallMirror => {
                self.mirrored_at = Some(now);
                self.status(
                    now,
                    BACKUP_DB,
                    DbStatus::OnlineUnmirrored,
                    DbStatus::OnlineMirrored,
                    "runbook_mirror_installed",
                );
            }
            RunbookStep::SetActiveServers => {
                self.service_up = true;
                self.back_at = Some(now);
            }
        }
        let fields = Fields { count, ..Fields::NONE };
        self.trace.event(now, BACKUP_DB, event, fields, || format!("{detail}{extra}"));
        if let Some(&next) = self.order.get(i + 1) {
            sched.schedule_in(self.step_duration(next), Ev::StepDone((i + 1) as u8));
        }
    }

    /// Copying is skipped when nothing is left to copy; applying takes a
    /// duration drawn for each backup left to restore.
    fn step_duration(&mut self, step: RunbookStep) -> Time {
        match step {
            RunbookStep::CopyBackups if !(self.share_survives && self.uncopied.backups > 0) => Time::ZERO,
            RunbookStep::ApplyBackups => {
                let mut total = Time::ZERO;
                for _ in 0..self.unrestored.backups {
                    total = total.saturating_add(draw(self.apply, &mut self.apply_rng));
                }
                total
            }
            _ => self.steps[RunbookStep::SEED_ORDER.iter().position(|s| *s == step).expect("a step")],
        }
    }

    fn finish(&self) -> Vec<f64> {
        let window = |from: Option<Time>, to: Option<Time>| match from {
            Some(a) => overlap(a, to.unwrap_or(self.horizon), self.from, self.to),
            None => Time::ZERO,
        };
        let outage = window(self.failed_at, self.back_at);
        let unmirrored = window(self.failed_over_at, self.mirrored_at);
        let measured = (self.to - self.from).as_us() as f64;
        vec![
            self.posts as f64,
            self.refused as f64,
            self.lost as f64,
            to_secs(outage),
            to_secs(unmirrored),
            self.compliance_lost as f64,
            1.0 - outage.as_us() as f64 / measured,
            to_secs(self.rpo),
            self.applied as f64,
            self.uncopied_posts_at_failure as f64,
        ]
    }
}

impl<T: Tracer> Model for Chat<T> {
    type Event = Ev;
    fn handle(&mut self, event: Ev, sched: &mut Scheduler<Ev>) {
        match event {
            Ev::Post => self.on_post(sched),
            Ev::Jobs => self.on_jobs(sched),
            Ev::DataCentreDown => self.on_down(sched),
            Ev::StepDone(i) => self.on_step(i as usize, sched),
        }
    }
}

/// Runs replication `replication` of a chat scenario, telling `tracer` what
/// happens: the metrics in [`METRICS`] order.
pub fn simulate<T: Tracer>(
    s: &ChatScenario,
    replication: u64,
    options: RunOptions,
    tracer: T,
) -> Result<Run<Vec<f64>, T>, LimitError> {
    let mut model = Chat::new(s, replication, tracer);
    let horizon = model.horizon;
    let mut sched = Scheduler::new();
    model.start(s, &mut sched);
    let stats = engine::run(&mut model, &mut sched, Limits { horizon, max_events: options.max_events })?;
    Ok(Run { metrics: model.finish(), tracer: model.trace, events: stats.events })
}
