//! The role managers (R3–R8, R11, R13, R15): keepalives, detection of a
//! silent peer, the ping check, self-promotion, the switchover sequences and
//! split-brain recovery, with the seed's three event lists as trace events.

use super::{
    Ev, KeepaliveMode, PUBLISHER, SUBSCRIBER, Switchover, Takeover, TakeoverCause, TimerKind, Voice, peer, server_name,
};
use crate::engine::{Scheduler, Time, to_secs};
use crate::model::trace::{Actor, CallMark, EventKind, Fields, State, Tracer};
use crate::scenario::{Service, Status};

impl<T: Tracer> Voice<T> {
    /// Opens or closes each keepalive channel to match the state: open iff
    /// both servers function and the sender→receiver link is up.
    pub(super) fn update_channels(&mut self, now: Time) {
        for s in 0..2 {
            let open = self.functioning(s) && self.functioning(peer(s)) && self.link_up(s, peer(s));
            let ticks = self.servers[s].ticks;
            let through_now = self.tick_done(s, now);
            let channel = &mut self.channels[s];
            if open {
                channel.open(now);
            } else {
                channel.close(ticks, now, through_now);
            }
        }
    }

    /// The last keepalive `s` heard from its peer.
    pub(super) fn last_heard(&self, s: usize, now: Time) -> Option<Time> {
        match self.cfg.mode {
            KeepaliveMode::Messages => self.servers[s].last_heard,
            KeepaliveMode::Analytic => {
                let p = peer(s);
                self.channels[p].last_delivered(self.servers[p].ticks, now, self.tick_done(p, now))
            }
        }
    }

    /// When `s` last heard its peer hold the primary role (R4).
    fn last_primary_heard(&self, s: usize, now: Time) -> Time {
        if self.holds_primary_role(peer(s)) {
            self.last_heard(s, now).unwrap_or(Time::ZERO).max(self.servers[s].primary_heard)
        } else {
            self.servers[s].primary_heard
        }
    }

    /// R4: a secondary that hears its peer, though not as primary, and has
    /// not yet concluded it has no primary.
    fn watching_for_primary(&self, s: usize) -> bool {
        let server = &self.servers[s];
        server.status == Status::Secondary
            && server.peer_available
            && server.lost.is_none()
            && !self.holds_primary_role(peer(s))
    }

    /// Analytic mode: the tick at which such a secondary concludes it.
    fn primary_silent_at(&self, s: usize, now: Time) -> Option<Time> {
        if !self.watching_for_primary(s) {
            return None;
        }
        let ticks = self.servers[s].ticks;
        let first = if self.tick_done(s, now) { ticks.after(now) } else { ticks.at_or_after(now) };
        let heard = self.last_primary_heard(s, now);
        Some(ticks.after(heard.saturating_add(self.cfg.keepalive_timeout)).max(first))
    }

    /// R4: a secondary with no primary, heard within the timeout, promotes itself.
    fn wants_takeover(&self, s: usize) -> bool {
        let server = &self.servers[s];
        server.status == Status::Secondary
            && (!server.peer_available || server.lost.is_some())
            && server.takeover_pending.is_none()
    }

    /// Analytic mode: the next tick of `s` at which its handler would do more
    /// than send an unremarkable keepalive. Every skipped tick is one the
    /// message-by-message model handles as a no-op.
    fn next_interesting_tick(&self, s: usize, now: Time) -> Option<Time> {
        if !self.functioning(s) {
            return None;
        }
        let p = peer(s);
        let ticks = self.servers[s].ticks;
        let first = if self.tick_done(s, now) { ticks.after(now) } else { ticks.at_or_after(now) };
        let mut next: Option<Time> = None;
        let mut consider = |t: Time| next = Some(next.map_or(t, |n| n.min(t)));
        // A keepalive that tells the peer something: it thought us gone, or
        // it had concluded it has no primary and we hold the role.
        let news = !self.servers[p].peer_available || (self.servers[p].lost.is_some() && self.holds_primary_role(s));
        if self.channels[s].is_open() && news {
            consider(first);
        }
        // Our own timeout, unless a keepalive from the peer arrives first.
        if self.servers[s].peer_available {
            let last = self.last_heard(s, now).unwrap_or(Time::ZERO);
            let fires = ticks.after(last.saturating_add(self.cfg.keepalive_timeout)).max(first);
            let peer_ticks = self.servers[p].ticks;
            let rescued = self.channels[p]
                .next_delivery(peer_ticks, now, self.tick_done(p, now))
                .is_some_and(|delivery| delivery < fires);
            if !rescued {
                consider(fires);
            }
        }
        // R4: the peer is heard but holds no primary role.
        if let Some(t) = self.primary_silent_at(s, now) {
            consider(t);
        }
        // R4's ping check: every tick while it can promote; once to log a
        // failure, or to say why it has no primary.
        let unexplained = self.servers[s].lost.is_none() || !self.servers[s].ping_failed_logged;
        if self.wants_takeover(s) && (self.can_ping(s) || unexplained) {
            consider(first);
        }
        next
    }

    pub(super) fn reschedule_tick(&mut self, s: usize, sched: &mut Scheduler<Ev>) {
        let next = self.next_interesting_tick(s, sched.now());
        if next == self.servers[s].scheduled_tick {
            return;
        }
        self.tick_generation[s] = self.tick_generation[s].wrapping_add(1);
        self.servers[s].scheduled_tick = next;
        if let Some(at) = next {
            let generation = self.tick_generation[s];
            sched.schedule_late(at, Ev::Tick { server: s as u8, generation });
        }
    }

    /// One tick of `s`'s role manager (R3): send a keepalive, check the peer,
    /// and, on a secondary that lost its primary, run the ping check (R4).
    pub(super) fn on_tick(&mut self, s: usize, sched: &mut Scheduler<Ev>) {
        let now = sched.now();
        if !self.functioning(s) {
            return;
        }
        let p = peer(s);
        if self.channels[s].is_open() {
            if self.cfg.mode == KeepaliveMode::Messages {
                self.servers[p].last_heard = Some(now);
            }
            self.receive_keepalive(p, s, now);
        }
        if self.servers[s].peer_available {
            let silent = self.last_heard(s, now).is_none_or(|last| now - last > self.cfg.keepalive_timeout);
            if silent {
                self.peer_lost(s, now);
            }
        }
        let no_primary = self.watching_for_primary(s)
            && now.saturating_sub(self.last_primary_heard(s, now)) > self.cfg.keepalive_timeout;
        if no_primary || (self.wants_takeover(s) && self.servers[s].lost.is_none()) {
            self.primary_not_heard(s, now);
        }
        if self.wants_takeover(s) {
            if self.can_ping(s) {
                self.trace.event(now, Actor::server(s), EventKind::PingCheckPassed, Fields::NONE, || {
                    "step 2: localhost and the network answer pings".into()
                });
                let cause = self.servers[s].lost.unwrap_or(TakeoverCause::NoPrimary);
                self.start_takeover(s, cause, sched);
            } else if !self.servers[s].ping_failed_logged {
                self.servers[s].ping_failed_logged = true;
                self.trace.event(now, Actor::server(s), EventKind::PingCheckFailed, Fields::NONE, || {
                    "step 2: the network does not answer; no status change, retried at every tick".into()
                });
            }
        }
    }

    /// `s`'s role manager hears from its peer at `now` outside a keepalive tick.
    fn hear_peer_now(&mut self, s: usize, now: Time) {
        self.servers[s].last_heard = Some(now);
        self.channels[peer(s)].heard_at(now);
        if !self.servers[s].peer_available {
            self.servers[s].peer_available = true;
            self.servers[s].ping_failed_logged = false;
        }
        if self.holds_primary_role(peer(s)) {
            self.servers[s].lost = None;
        }
    }

    /// `receiver` hears a keepalive from `sender`. Split-brain recovery waits
    /// until each primary hears the other (R15; `settle` starts it).
    fn receive_keepalive(&mut self, receiver: usize, sender: usize, now: Time) {
        if !self.servers[receiver].peer_available {
            self.servers[receiver].peer_available = true;
            self.servers[receiver].ping_failed_logged = false;
            self.trace.event(now, Actor::server(receiver), EventKind::KeepaliveRestored, Fields::NONE, || {
                format!("hears {} again", server_name(sender))
            });
        }
        if self.holds_primary_role(sender) {
            self.servers[receiver].lost = None;
        }
    }

    /// `s` has not heard its peer within the timeout (R3); a primary only
    /// suspends replication (R5), a secondary has lost its primary (R4).
    fn peer_lost(&mut self, s: usize, now: Time) {
        let p = peer(s);
        self.servers[s].peer_available = false;
        if self.servers[s].status == Status::Secondary && self.servers[s].lost.is_none() {
            self.servers[s].lost = Some(TakeoverCause::KeepaliveLost);
        }
        let silent_since = self.channels[p].closed_at.unwrap_or(now);
        let delay = now.saturating_sub(silent_since);
        if self.overlaps_window(silent_since, now) {
            self.tally.detection_delay_max = self.tally.detection_delay_max.max(delay);
        }
        self.trace.event(now, Actor::server(s), EventKind::KeepaliveLost, Fields::NONE, || {
            format!("step 1: no keepalive from {} ({:.3} s after it fell silent)", server_name(p), to_secs(delay))
        });
        if self.servers[s].status == Status::Primary {
            self.trace.event(now, Actor::server(s), EventKind::ReplicationSuspended, Fields::NONE, || {
                format!("{} unavailable; primary keeps its status (R5)", server_name(p))
            });
        }
    }

    /// R4 step 1 for a secondary that hears its peer, but no primary: the
    /// peer holds no primary role (deactivated, secondary, starting), or
    /// nothing has been heard since start or restart.
    fn primary_not_heard(&mut self, s: usize, now: Time) {
        self.servers[s].lost = Some(TakeoverCause::NoPrimary);
        let p = peer(s);
        let status = self.servers[p].status;
        let heard = self.servers[s].peer_available;
        self.trace.event(
            now,
            Actor::server(s),
            EventKind::PrimaryNotHeard,
            Fields::status(State::Server(status)),
            || {
                if heard {
                    format!("step 1: no primary heard within the timeout; {} is {}", server_name(p), status.as_str())
                } else {
                    format!("step 1: no primary heard since it started; {} is silent", server_name(p))
                }
            },
        );
    }

    /// R4 steps 3–8 (or a manual change with no reachable primary): `s`
    /// raises the alarm now and sets itself primary after `takeover`.
    pub(super) fn start_takeover(&mut self, s: usize, cause: TakeoverCause, sched: &mut Scheduler<Ev>) {
        self.servers[s].takeover_pending = Some(Takeover { cause, started_at: sched.now() });
        self.trace.event(sched.now(), Actor::server(s), EventKind::StatusChangeStarted, Fields::NONE, || {
            "step 3: alarm: status change started".into()
        });
        self.start_timer(sched, TimerKind::Takeover, s, self.cfg.takeover);
    }

    fn finish_takeover(&mut self, s: usize, now: Time) {
        let Some(Takeover { cause, started_at }) = self.servers[s].takeover_pending.take() else { return };
        if self.servers[s].status != Status::Secondary {
            self.trace.event(now, Actor::server(s), EventKind::StatusChangeAborted, Fields::NONE, || {
                format!("no longer secondary ({})", self.servers[s].status.as_str())
            });
            return;
        }
        if self.servers[s].peer_available && self.holds_primary_role(peer(s)) {
            // The primary was heard again before the change completed: the
            // role manager stands down rather than make a second primary.
            self.trace.event(now, Actor::server(s), EventKind::StatusChangeAborted, Fields::NONE, || {
                format!("{} is heard again as primary", server_name(peer(s)))
            });
            return;
        }
        self.trace.event(now, Actor::server(s), EventKind::StatusSet, Fields::NONE, || {
            "step 4: sets its own status to primary".into()
        });
        self.set_status(s, Status::Primary, cause.as_str(), now);
        if cause != TakeoverCause::Manual && self.overlaps_window(started_at, now) {
            self.tally.failovers += 1;
        }
        self.announce_new_primary(s, now);
    }

    /// The common tail of every change of primary: critical services, data
    /// connector, replication, completion alarm.
    fn announce_new_primary(&mut self, s: usize, now: Time) {
        let stopped: Vec<&'static str> =
            Service::ALL.into_iter().filter(|v| !self.running(s, *v)).map(Service::as_str).collect();
        if stopped.is_empty() {
            self.trace.event(now, Actor::server(s), EventKind::CriticalServicesStarted, Fields::NONE, || {
                "critical services started on the new primary".into()
            });
        } else {
            // A service stopped by a fault stays stopped: say so rather than
            // claim it started.
            self.trace.event(now, Actor::server(s), EventKind::CriticalServicesDegraded, Fields::NONE, || {
                format!("critical services start on the new primary, except {} (stopped)", stopped.join(", "))
            });
        }
        self.trace.event(now, Actor::server(s), EventKind::DataConnectorSwitched, Fields::NONE, || {
            format!("data connector uses the database on {}", server_name(s))
        });
        if self.replicating() {
            self.trace.event(now, Actor::server(s), EventKind::ReplicationContinued, Fields::NONE, || {
                "database and message-store replication continues".into()
            });
        }
        self.trace.event(now, Actor::server(s), EventKind::StatusChangeCompleted, Fields::NONE, || {
            "alarm: status change completed".into()
        });
    }

    /// R7 (publisher primary with a stopped critical service, subscriber
    /// secondary and reachable): the automatic change on the primary.
    pub(super) fn maybe_hand_over(&mut self, sched: &mut Scheduler<Ev>) {
        let publisher = &self.servers[PUBLISHER];
        let subscriber = &self.servers[SUBSCRIBER];
        let wanted = self.switchover.is_none()
            && publisher.status == Status::Primary
            && !self.all_services_running(PUBLISHER)
            && subscriber.status == Status::Secondary
            && subscriber.takeover_pending.is_none()
            && publisher.peer_available
            && subscriber.peer_available
            && self.both_ways(PUBLISHER, SUBSCRIBER);
        if wanted {
            let now = sched.now();
            self.trace.event(
                now,
                Actor::server(PUBLISHER),
                EventKind::CriticalServiceFailureDetected,
                Fields::NONE,
                || "step 1: role manager detects a stopped critical service".into(),
            );
            self.start_switchover(SUBSCRIBER, "critical_service_stopped", true, sched);
        }
    }

    /// R7/R8: `to` (secondary) and its peer (primary) swap roles after
    /// `takeover`. The caller checks that the two can reach each other.
    pub(super) fn start_switchover(
        &mut self,
        to: usize,
        cause: &'static str,
        automatic: bool,
        sched: &mut Scheduler<Ev>,
    ) {
        let now = sched.now();
        let from = peer(to);
        let (notifier, notified) = if automatic { (from, to) } else { (to, from) };
        self.trace.event(now, Actor::server(notifier), EventKind::StatusChangeNotified, Fields::NONE, || {
            format!("step 2: tells {} that the status will change", server_name(notified))
        });
        // The two role managers talk to each other to make the change.
        self.hear_peer_now(from, now);
        self.hear_peer_now(to, now);
        for s in [from, to] {
            self.trace.event(now, Actor::server(s), EventKind::StatusChangeStarted, Fields::NONE, || {
                "step 3: alarm: status change started".into()
            });
        }
        self.switchover = Some(Switchover { to, cause, automatic, started_at: now });
        self.start_timer(sched, TimerKind::Switchover, to, self.cfg.takeover);
    }

    fn finish_switchover(&mut self, now: Time) {
        let Some(Switchover { to, cause, automatic, started_at }) = self.switchover.take() else {
            return;
        };
        let from = peer(to);
        if self.servers[from].status != Status::Primary || self.servers[to].status != Status::Secondary {
            self.trace.event(now, Actor::server(to), EventKind::StatusChangeAborted, Fields::NONE, || {
                format!(
                    "{} is {} and {} is {}",
                    server_name(from),
                    self.servers[from].status.as_str(),
                    server_name(to),
                    self.servers[to].status.as_str()
                )
            });
            return;
        }
        self.trace.event(now, Actor::server(from), EventKind::StatusSet, Fields::NONE, || {
            "step 4: sets its own status to secondary".into()
        });
        self.set_status(from, Status::Secondary, cause, now);
        self.trace.event(now, Actor::server(to), EventKind::StatusSet, Fields::NONE, || {
            "step 5: sets its own status to primary".into()
        });
        self.set_status(to, Status::Primary, cause, now);
        if self.servers[to].takeover_pending.take().is_some() {
            // It lost the keepalives mid-switchover and began promoting
            // itself; the switchover got there first.
            self.cancel_timer(TimerKind::Takeover, to);
            self.trace.event(now, Actor::server(to), EventKind::StatusChangeAborted, Fields::NONE, || {
                "its own takeover is moot: the switchover made it primary".into()
            });
        }
        if automatic && self.overlaps_window(started_at, now) {
            self.tally.failovers += 1;
        }
        self.announce_new_primary(to, now);
    }

    /// R15: two primaries hear each other again.
    pub(super) fn start_recovery(&mut self, sched: &mut Scheduler<Ev>) {
        let now = sched.now();
        let messages = self.episode_messages;
        self.episode_messages = 0;
        let duration = self.cfg.recovery_base.saturating_add(self.cfg.recovery_per_message.saturating_mul(messages));
        for s in 0..2 {
            self.trace.event(now, Actor::server(s), EventKind::SplitBrainDetected, Fields::count(messages), || {
                format!("both servers are primary; {messages} split-brain message(s) to reconcile")
            });
            self.set_status(s, Status::SplitBrainRecovery, "split_brain_detected", now);
            self.trace.event(now, Actor::server(s), EventKind::MtaNotifierStopped, Fields::NONE, || {
                "MTA and Notifier stopped; deliveries queue".into()
            });
        }
        let unmount = self.cfg.unmount.min(duration);
        self.recovery = true;
        if !unmount.is_zero() {
            let (calls, measured) = self.calls.lose_mailboxes();
            self.tally.mailbox_unavailable_calls += measured;
            self.unmounted = true;
            self.trace.mark(now, CallMark::MailboxUnavailable, calls);
            self.trace.event(
                now,
                Actor::Cluster,
                EventKind::MessageStoreUnmounted,
                Fields::count(calls as u64),
                || format!("mailboxes temporarily unavailable to {calls} call(s) in progress"),
            );
            self.start_timer(sched, TimerKind::UnmountEnd, PUBLISHER, unmount);
        }
        self.start_timer(sched, TimerKind::RecoveryEnd, PUBLISHER, duration);
    }

    /// The end of R15's recovery: at its time, or early when one of the two
    /// servers stops functioning (the survivor has no one to reconcile with).
    pub(super) fn finish_recovery(&mut self, now: Time, detail: &'static str) {
        self.recovery = false;
        self.unmounted = false;
        self.cancel_timer(TimerKind::UnmountEnd, PUBLISHER);
        self.cancel_timer(TimerKind::RecoveryEnd, PUBLISHER);
        // R15, in the seed's order: MTA and Notifier start on the publisher,
        // then on the subscriber; finally the publisher becomes primary and
        // the subscriber secondary, and mailbox sync starts on the primary.
        let recovering = [PUBLISHER, SUBSCRIBER].map(|s| self.servers[s].status == Status::SplitBrainRecovery);
        if recovering[PUBLISHER] {
            self.trace.event(now, Actor::server(PUBLISHER), EventKind::MtaNotifierStarted, Fields::NONE, || {
                "MTA and Notifier start on the publisher first".into()
            });
        }
        if recovering[SUBSCRIBER] {
            self.trace.event(now, Actor::server(SUBSCRIBER), EventKind::MtaNotifierStarted, Fields::NONE, || {
                "MTA and Notifier start on the subscriber".into()
            });
        }
        if recovering[PUBLISHER] {
            self.set_status(PUBLISHER, Status::Primary, "split_brain_recovery_completed", now);
        }
        if recovering[SUBSCRIBER] {
            let to =
                if self.servers[PUBLISHER].status == Status::Primary { Status::Secondary } else { Status::Primary };
            self.set_status(SUBSCRIBER, to, "split_brain_recovery_completed", now);
        }
        if let Some(primary) = (0..2).find(|s| recovering[*s] && self.servers[*s].status == Status::Primary)
            && self.running(primary, Service::MailboxSync)
        {
            self.trace.event(now, Actor::server(primary), EventKind::MailboxSyncStarted, Fields::NONE, || {
                "mailbox sync starts on the primary".into()
            });
        }
        self.trace.event(now, Actor::Cluster, EventKind::SplitBrainRecoveryCompleted, Fields::NONE, || detail.into());
    }

    /// End of `starting` (R9, R11): deactivated if it was (deactivation is
    /// configuration), else secondary under a reachable primary, else
    /// primary; a publisher that comes back secondary reclaims primary (R8 sequence).
    fn finish_starting(&mut self, s: usize, sched: &mut Scheduler<Ev>) {
        let now = sched.now();
        if self.servers[s].status != Status::Starting {
            return;
        }
        if self.servers[s].deactivated {
            self.trace.event(now, Actor::server(s), EventKind::StartupCompleted, Fields::NONE, || {
                "stays deactivated until activated (R9)".into()
            });
            self.set_status(s, Status::Deactivated, "started_deactivated", now);
            return;
        }
        let p = peer(s);
        // The peer is a reachable primary if the link works now or the role
        // manager heard it within the timeout.
        let reachable = self.both_ways(s, p);
        let under_primary = self.holds_primary_role(p) && (reachable || self.servers[s].peer_available);
        if under_primary {
            if reachable {
                // Starting ends by contacting the primary: heard now, even if
                // no keepalive arrived yet (a short `starting`).
                self.hear_peer_now(s, now);
            }
            self.trace.event(now, Actor::server(s), EventKind::StartupCompleted, Fields::NONE, || {
                format!("joins {} as secondary", server_name(p))
            });
            self.set_status(s, Status::Secondary, "started", now);
            let reclaim = s == PUBLISHER
                && reachable
                && self.cfg.reclaims
                && self.all_services_running(s)
                && self.servers[p].status == Status::Primary
                && self.switchover.is_none();
            if reclaim {
                self.trace.event(now, Actor::server(s), EventKind::PublisherReclaimsPrimary, Fields::NONE, || {
                    "step 1: publisher takes primary back".into()
                });
                self.start_switchover(s, "publisher_reclaims_primary", false, sched);
            }
        } else {
            self.trace.event(now, Actor::server(s), EventKind::StartupCompleted, Fields::NONE, || {
                "no reachable primary: becomes primary".into()
            });
            self.trace.event(now, Actor::server(s), EventKind::StatusChangeStarted, Fields::NONE, || {
                "alarm: status change started".into()
            });
            self.set_status(s, Status::Primary, "started_without_primary", now);
            if self.measured(now) {
                self.tally.failovers += 1;
            }
            self.announce_new_primary(s, now);
        }
    }

    pub(super) fn on_timer(&mut self, kind: TimerKind, s: usize, sched: &mut Scheduler<Ev>) {
        let now = sched.now();
        match kind {
            TimerKind::Takeover => self.finish_takeover(s, now),
            TimerKind::Switchover => self.finish_switchover(now),
            TimerKind::Starting => self.finish_starting(s, sched),
            TimerKind::Replicating => {
                if self.servers[s].status == Status::ReplicatingData {
                    let back = self.servers[s].resume;
                    self.trace.event(
                        now,
                        Actor::server(s),
                        EventKind::ReplicationCompleted,
                        Fields::status(State::Server(back)),
                        || format!("back to {}", back.as_str()),
                    );
                    self.set_status(s, back, "replication_completed", now);
                }
            }
            TimerKind::UnmountEnd => {
                if self.recovery {
                    self.unmounted = false;
                    self.trace.event(now, Actor::Cluster, EventKind::MessageStoreMounted, Fields::NONE, || {
                        "message store mounted again".into()
                    });
                }
            }
            TimerKind::RecoveryEnd => self.finish_recovery(now, "publisher primary, subscriber secondary"),
        }
    }
}
