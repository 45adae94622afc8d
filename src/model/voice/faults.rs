//! Faults and admin actions: the scenario's timeline (with `for` heals) and
//! the random failure processes of R20. Overlapping faults compose: each
//! crash, cut and service stop counts, and the state heals when the last one does.

use super::{
    Ev, NETWORK, PHONE, PUBLISHER, SUBSCRIBER, TakeoverCause, TimerKind, Voice, node_index, peer, server_name, streams,
};
use crate::engine::rng::{self, StreamRng};
use crate::engine::{Scheduler, Time, from_secs};
use crate::model::trace::{Actor, EventKind, Fields, Links, State, Tracer};
use crate::scenario::{Action, AdminAction, HealTarget, LinkSpec, RandomFailures, Service, Status};
use rand_distr::{Distribution, Exp1};

/// What a random failure process breaks.
#[derive(Debug, Clone, Copy)]
enum Target {
    Crash(usize),
    Link(LinkSpec),
    Service(usize, Service),
}

/// The directed links a cut of `link` affects.
fn directed(link: LinkSpec) -> Links {
    let (a, b) = (node_index(link.from), node_index(link.to));
    if link.one_way { Links::of([(a, b)]) } else { Links::of([(a, b), (b, a)]) }
}

/// Where a fault or its end comes from (the `cause` of its event).
const TIMELINE: &str = "timeline";
const RANDOM: &str = "random";
const FOR_ENDED: &str = "for_ended";

/// An alternating renewal process: up for Exp(mtbf), down for Exp(mttr).
pub(super) struct Process {
    target: Target,
    mtbf_s: f64,
    mttr_s: f64,
    rng: StreamRng,
}

impl Process {
    fn draw(&mut self, mean_s: f64) -> Time {
        let e: f64 = Exp1.sample(&mut self.rng);
        from_secs(e * mean_s).max(Time::from_us(1))
    }
    pub(super) fn draw_up(&mut self) -> Time {
        self.draw(self.mtbf_s)
    }
    fn draw_down(&mut self) -> Time {
        self.draw(self.mttr_s)
    }
}

/// The random processes of a scenario, each with its own stream.
pub(super) fn processes(rf: &RandomFailures, seed: u64) -> Vec<Process> {
    let mut targets: Vec<(Target, f64, f64)> = vec![];
    if let Some(c) = &rf.crash {
        for s in &c.servers {
            targets.push((Target::Crash(s.index()), c.mtbf.as_secs_f64(), c.mttr.as_secs_f64()));
        }
    }
    if let Some(p) = &rf.partition {
        targets.push((Target::Link(p.link), p.mtbf.as_secs_f64(), p.mttr.as_secs_f64()));
    }
    if let Some(c) = &rf.service {
        for s in &c.servers {
            targets.push((Target::Service(s.index(), c.service), c.mtbf.as_secs_f64(), c.mttr.as_secs_f64()));
        }
    }
    targets
        .into_iter()
        .enumerate()
        .map(|(i, (target, mtbf_s, mttr_s))| Process {
            target,
            mtbf_s,
            mttr_s,
            rng: rng::stream(seed, streams::FAULTS + i as u64),
        })
        .collect()
}

impl<T: Tracer> Voice<T> {
    /// An occurrence of timeline entry `index` (or the end of its `for`). An
    /// occurrence schedules its own end and the entry's next repetition.
    pub(super) fn on_timeline(&mut self, index: usize, heal: bool, sched: &mut Scheduler<Ev>) {
        let entry = &self.cfg.timeline[index];
        let (action, lasting, every, until) = (entry.action, entry.lasting, entry.every, entry.until);
        if heal {
            return self.undo(action, sched);
        }
        self.apply(action, sched);
        let now = sched.now();
        let event = |heal| Ev::Timeline { index: index as u32, heal };
        if let Some(end) = lasting.and_then(|d| now.checked_add(d)) {
            sched.schedule_at(end, event(true));
        }
        if let Some(next) = every.and_then(|d| now.checked_add(d)).filter(|t| *t < until) {
            sched.schedule_at(next, event(false));
        }
    }

    pub(super) fn on_fault(&mut self, index: usize, repair: bool, sched: &mut Scheduler<Ev>) {
        let target = self.processes[index].target;
        let now = sched.now();
        match (target, repair) {
            (Target::Crash(s), false) => self.crash(s, now, RANDOM),
            (Target::Crash(s), true) => self.restart(s, false, sched, RANDOM),
            (Target::Link(link), false) => self.cut(directed(link), now, RANDOM),
            (Target::Link(link), true) => self.mend(directed(link), now, RANDOM),
            (Target::Service(s, service), false) => self.stop_service(s, service, now, RANDOM),
            (Target::Service(s, service), true) => self.start_service(s, service, false, now, RANDOM),
        }
        let process = &mut self.processes[index];
        let delay = if repair { process.draw_up() } else { process.draw_down() };
        sched.schedule_in(delay, Ev::Fault { process: index as u8, repair: !repair });
    }

    fn apply(&mut self, action: Action, sched: &mut Scheduler<Ev>) {
        let now = sched.now();
        match action {
            Action::Crash(s) => self.crash(s.index(), now, TIMELINE),
            Action::Restart(s) => self.restart(s.index(), true, sched, TIMELINE),
            Action::Partition(link) => self.cut(directed(link), now, TIMELINE),
            Action::Isolate(s) => self.cut(isolation(s.index()), now, TIMELINE),
            Action::Heal(HealTarget::All) => self.heal(all_links(), now),
            Action::Heal(HealTarget::Link(link)) => self.heal(directed(link), now),
            Action::StopService(r) => self.stop_service(r.server.index(), r.service, now, TIMELINE),
            Action::StartService(r) => self.start_service(r.server.index(), r.service, true, now, TIMELINE),
            Action::Admin(a) => self.admin(a.server.index(), a.action, sched),
            Action::Replicate(s) => self.replicate(s.index(), sched),
        }
    }

    /// The end of a `for`.
    fn undo(&mut self, action: Action, sched: &mut Scheduler<Ev>) {
        let now = sched.now();
        match action {
            Action::Crash(s) => self.restart(s.index(), false, sched, FOR_ENDED),
            Action::Partition(link) => self.mend(directed(link), now, FOR_ENDED),
            Action::Isolate(s) => self.mend(isolation(s.index()), now, FOR_ENDED),
            Action::StopService(r) => self.start_service(r.server.index(), r.service, false, now, FOR_ENDED),
            Action::Admin(a) => match a.action {
                AdminAction::StopTakingCalls => self.admin(a.server.index(), AdminAction::ResumeTakingCalls, sched),
                AdminAction::Deactivate => self.admin(a.server.index(), AdminAction::Activate, sched),
                _ => {}
            },
            // Validation allows `for` on nothing else.
            _ => {}
        }
    }

    /// R11: a crash stops the server at once.
    fn crash(&mut self, s: usize, now: Time, origin: &'static str) {
        self.servers[s].down_causes += 1;
        if self.servers[s].status == Status::NotFunctioning {
            let causes = self.servers[s].down_causes;
            let fields = Fields { count: Some(causes as u64), ..Fields::cause(origin) };
            self.trace.event(now, Actor::server(s), EventKind::Crash, fields, || {
                format!("{} crashes again while down ({origin}): it restarts once all {causes} heal", server_name(s))
            });
            return;
        }
        self.trace.event(now, Actor::server(s), EventKind::Crash, Fields::cause(origin), || {
            format!("{} crashes ({origin})", server_name(s))
        });
        self.set_status(s, Status::NotFunctioning, "crash", now);
        for kind in [TimerKind::Takeover, TimerKind::Starting, TimerKind::Replicating] {
            self.cancel_timer(kind, s);
        }
        self.servers[s].takeover_pending = None;
        if self.recovery {
            self.finish_recovery(now, "ended early: a server stopped functioning");
        }
    }

    /// R11: a restart (explicit, or the heal of a crash) goes through `starting`.
    fn restart(&mut self, s: usize, explicit: bool, sched: &mut Scheduler<Ev>, origin: &'static str) {
        let now = sched.now();
        let server = &mut self.servers[s];
        server.down_causes = if explicit { 0 } else { server.down_causes.saturating_sub(1) };
        if server.status != Status::NotFunctioning {
            if explicit {
                self.trace.event(now, Actor::server(s), EventKind::ActionIgnored, Fields::cause("restart"), || {
                    format!("restart: {} is already running", server_name(s))
                });
            }
            return;
        }
        if server.down_causes > 0 {
            return;
        }
        // A reboot: services start, the role manager forgets what it heard.
        server.stopped = [0; 4];
        server.peer_available = false;
        server.lost = None;
        server.primary_heard = now;
        server.last_heard = None;
        server.ping_failed_logged = false;
        self.channels[peer(s)].delivered_before = None;
        self.trace.event(now, Actor::server(s), EventKind::Restart, Fields::cause(origin), || {
            format!("{} restarts ({origin})", server_name(s))
        });
        self.set_status(s, Status::Starting, "restart", now);
        self.start_timer(sched, TimerKind::Starting, s, self.cfg.starting);
    }

    fn cut(&mut self, links: Links, now: Time, origin: &'static str) {
        for (a, b) in links.pairs() {
            self.cuts[a][b] += 1;
        }
        self.trace.event(now, Actor::Cluster, EventKind::Partition, Fields::links(links, origin), || {
            format!("{} cut ({origin})", links.describe())
        });
    }

    /// The end of one cut: a link comes back when its last cut ends.
    fn mend(&mut self, links: Links, now: Time, origin: &'static str) {
        let restored = Links::of(links.pairs().filter(|&(a, b)| self.cuts[a][b] == 1));
        for (a, b) in links.pairs() {
            self.cuts[a][b] = self.cuts[a][b].saturating_sub(1);
        }
        if !restored.is_empty() {
            self.trace.event(now, Actor::Cluster, EventKind::Heal, Fields::links(restored, origin), || {
                format!("{} restored ({origin})", restored.describe())
            });
        }
    }

    /// `heal:` clears every cut of the given directed links at once; a heal
    /// of links that were all up changes nothing and says so.
    fn heal(&mut self, links: Links, now: Time) {
        let restored = Links::of(links.pairs().filter(|&(a, b)| self.cuts[a][b] > 0));
        for (a, b) in links.pairs() {
            self.cuts[a][b] = 0;
        }
        if restored.is_empty() {
            let fields = Fields { links, ..Fields::cause("heal") };
            self.trace.event(now, Actor::Cluster, EventKind::ActionIgnored, fields, || {
                format!("heal: {} was not cut", links.describe())
            });
        } else {
            self.trace.event(now, Actor::Cluster, EventKind::Heal, Fields::links(restored, TIMELINE), || {
                format!("{} restored (timeline)", restored.describe())
            });
        }
    }

    /// R7: a critical service stops; `settle` applies its effects and starts
    /// the automatic change when Table 3-4 calls for one.
    fn stop_service(&mut self, s: usize, service: Service, now: Time, origin: &'static str) {
        let count = &mut self.servers[s].stopped[service.index()];
        *count += 1;
        if *count == 1 {
            self.trace.event(
                now,
                Actor::server(s),
                EventKind::ServiceStopped,
                Fields::service(service, origin),
                || format!("{} stopped ({origin})", service.as_str()),
            );
        }
    }

    fn start_service(&mut self, s: usize, service: Service, explicit: bool, now: Time, origin: &'static str) {
        let count = &mut self.servers[s].stopped[service.index()];
        let was_stopped = *count > 0;
        *count = if explicit { 0 } else { count.saturating_sub(1) };
        if was_stopped && *count == 0 {
            self.trace.event(
                now,
                Actor::server(s),
                EventKind::ServiceStarted,
                Fields::service(service, origin),
                || format!("{} started ({origin})", service.as_str()),
            );
        }
    }

    fn refuse(&mut self, s: usize, action: &'static str, now: Time) {
        let status = self.servers[s].status;
        let fields = Fields { status: Some(State::Server(status)), ..Fields::cause(action) };
        self.trace.event(now, Actor::server(s), EventKind::AdminRefused, fields, || {
            format!("{action} refused: server is {}", status.as_str())
        });
    }

    /// R8–R10: the administrator's actions in Cluster Management.
    fn admin(&mut self, s: usize, action: AdminAction, sched: &mut Scheduler<Ev>) {
        let now = sched.now();
        let status = self.servers[s].status;
        match action {
            AdminAction::MakePrimary => {
                if status != Status::Secondary
                    || self.servers[s].takeover_pending.is_some()
                    || self.switchover.is_some()
                {
                    return self.refuse(s, action.as_str(), now);
                }
                let p = peer(s);
                let hand_over = self.servers[p].status == Status::Primary && self.both_ways(s, p);
                if !hand_over && self.servers[s].peer_available && self.holds_primary_role(p) {
                    // A primary that cannot hand over now (unreachable, or
                    // replicating data) but that this role manager has not
                    // lost (keepalive timeout still running): nothing to
                    // coordinate with, and no reason yet to take over alone.
                    let fields = Fields::cause(action.as_str());
                    self.trace.event(now, Actor::server(s), EventKind::AdminRefused, fields, || {
                        format!("make_primary refused: {} still holds primary and cannot hand over now", server_name(p))
                    });
                    return;
                }
                self.trace.event(now, Actor::server(s), EventKind::AdminMakePrimary, Fields::NONE, || {
                    "step 1: administrator starts a status change".into()
                });
                if hand_over {
                    self.start_switchover(s, "manual_change", false, sched);
                } else {
                    // No primary to hand over: the secondary promotes itself.
                    self.start_takeover(s, TakeoverCause::Manual, sched);
                }
            }
            AdminAction::StopTakingCalls => {
                self.servers[s].taking_calls = false;
                self.trace.event(now, Actor::server(s), EventKind::TakingCallsStopped, Fields::NONE, || {
                    "phone system offers no new calls".into()
                });
            }
            AdminAction::ResumeTakingCalls => {
                self.servers[s].taking_calls = true;
                self.trace.event(now, Actor::server(s), EventKind::TakingCallsResumed, Fields::NONE, || {
                    "phone system offers calls again".into()
                });
            }
            AdminAction::Deactivate => {
                if status != Status::Secondary || self.servers[s].takeover_pending.is_some() {
                    return self.refuse(s, action.as_str(), now);
                }
                self.trace.event(now, Actor::server(s), EventKind::AdminDeactivate, Fields::NONE, || {
                    "administrator deactivates the server".into()
                });
                self.servers[s].deactivated = true;
                self.set_status(s, Status::Deactivated, "admin_deactivate", now);
            }
            AdminAction::Activate => {
                if status != Status::Deactivated {
                    return self.refuse(s, action.as_str(), now);
                }
                self.trace.event(now, Actor::server(s), EventKind::AdminActivate, Fields::NONE, || {
                    "administrator activates the server".into()
                });
                self.servers[s].deactivated = false;
                self.set_status(s, Status::Starting, "admin_activate", now);
                self.start_timer(sched, TimerKind::Starting, s, self.cfg.starting);
            }
        }
    }

    /// R12: replicate data from a primary or secondary.
    fn replicate(&mut self, s: usize, sched: &mut Scheduler<Ev>) {
        let now = sched.now();
        let status = self.servers[s].status;
        if !matches!(status, Status::Primary | Status::Secondary) || self.servers[s].takeover_pending.is_some() {
            return self.refuse(s, "replicate", now);
        }
        self.servers[s].resume = status;
        self.trace.event(now, Actor::server(s), EventKind::AdminReplicate, Fields::NONE, || {
            "administrator starts replicating data".into()
        });
        self.set_status(s, Status::ReplicatingData, "admin_replicate", now);
        self.start_timer(sched, TimerKind::Replicating, s, self.cfg.replicating);
    }
}

/// The directed links `isolate: s` cuts: to and from its peer, the phone
/// system and the network.
fn isolation(s: usize) -> Links {
    Links::of([peer(s), PHONE, NETWORK].into_iter().flat_map(|n| [(s, n), (n, s)]))
}

/// Every directed link of the voice cluster.
fn all_links() -> Links {
    let pairs =
        [(PUBLISHER, SUBSCRIBER), (PUBLISHER, PHONE), (SUBSCRIBER, PHONE), (PUBLISHER, NETWORK), (SUBSCRIBER, NETWORK)];
    Links::of(pairs.into_iter().flat_map(|(a, b)| [(a, b), (b, a)]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Scenario, parse_str};

    /// R20's processes are numbered crash (per server), partition, service (per
    /// server), and process i draws from stream FAULTS + i, past the traffic's
    /// and the keepalives' streams: a seed names the same failures in every
    /// version, and no process shares draws with another or with the calls.
    #[test]
    fn r20_each_failure_process_draws_from_stream_faults_plus_its_index() {
        let yaml = "duration: 1d\nrandom_failures:\n  crash: {mtbf: 6h, mttr: 20m}\n  partition: {mtbf: 4h, mttr: 2m}\n  \
                    service: {mtbf: 8h, mttr: 15m, service: conversation_manager}\n";
        let Ok(Scenario::Voice(scenario)) = parse_str("t.yaml", "t", yaml) else { panic!("a voice scenario") };
        let mut all = processes(&scenario.random_failures, 7);
        assert_eq!(all.len(), 5, "two crash, one partition, two service processes");
        for (i, process) in all.iter_mut().enumerate() {
            let stream = streams::FAULTS + i as u64;
            assert!(stream > streams::TICK_PHASES);
            let first: f64 = Exp1.sample(&mut rng::stream(7, stream));
            let drawn: f64 = Exp1.sample(&mut process.rng);
            assert_eq!(drawn, first, "process {i} draws from stream {stream}");
        }
    }
}
