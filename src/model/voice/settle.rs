//! State changes and what follows them: statuses (checked against the state
//! diagram's edges), timers, and `settle`, which re-derives every cache after a control
//! event (R2, R15, R16, R18).

use super::state::TimerKind;
use super::{Ev, KeepaliveMode, Voice, allowed_transition, peer, server_name};
use crate::engine::{Scheduler, Time};
use crate::model::trace::{Actor, EventKind, Fields, State, Tracer};
use crate::scenario::Status;

impl<T: Tracer> Voice<T> {
    // ---- state changes --------------------------------------------------------

    pub(super) fn set_status(&mut self, s: usize, to: Status, cause: &'static str, now: Time) {
        let from = self.servers[s].status;
        if from == to {
            return;
        }
        let held_role = self.holds_primary_role(s);
        assert!(
            allowed_transition(from, to),
            "status change {} → {} of {} is not an edge of the state diagram (seed {}, replication {})",
            from.as_str(),
            to.as_str(),
            server_name(s),
            self.seed,
            self.replication
        );
        self.servers[s].status = to;
        let p = peer(s);
        let hears_primary = self.servers[s].peer_available && self.holds_primary_role(p);
        if to == Status::Primary || (to == Status::Secondary && hears_primary) {
            // R4's conclusion "no primary" belongs to a secondary that hears none.
            self.servers[s].lost = None;
        }
        if held_role && !self.holds_primary_role(s) {
            // R4: the peer's clock for "heard a primary" stops at the last
            // keepalive it had from us while we held the role.
            self.servers[p].primary_heard = self.last_heard(p, now).unwrap_or(Time::ZERO);
        }
        self.trace.status(now, Actor::server(s), State::Server(from), State::Server(to), cause);
    }

    pub(super) fn cancel_timer(&mut self, kind: TimerKind, s: usize) {
        self.timer_generation[kind as usize][s] = self.timer_generation[kind as usize][s].wrapping_add(1);
    }

    pub(super) fn start_timer(&mut self, sched: &mut Scheduler<Ev>, kind: TimerKind, s: usize, delay: Time) {
        self.cancel_timer(kind, s);
        let generation = self.timer_generation[kind as usize][s];
        sched.schedule_in(delay, Ev::Timer { kind, server: s as u8, generation });
    }

    /// Re-derives everything that depends on the state after a control event.
    pub(super) fn settle(&mut self, sched: &mut Scheduler<Ev>) {
        let now = sched.now();
        self.update_channels(now);
        // R15: two primaries that hear each other start recovery at once,
        // whichever event made them so (a keepalive, or a primary returning
        // from replicating data).
        let both_primary = self.servers.iter().all(|sv| sv.status == Status::Primary);
        if both_primary && self.servers.iter().all(|sv| sv.peer_available) {
            self.start_recovery(sched);
        }
        self.update_phone_view(now);
        for s in 0..2 {
            if self.servers[s].busy > 0 && !self.can_carry(s) {
                self.drop_calls(s, now);
            }
        }
        self.maybe_hand_over(sched);
        self.release_waiting_messages(now);
        self.update_clocks(now);
        if self.cfg.mode == KeepaliveMode::Analytic {
            for s in 0..2 {
                self.reschedule_tick(s, sched);
            }
        }
    }

    /// Caches R2's answering and mailbox flags and starts R18's stale window
    /// when a server stops answering abruptly.
    pub(super) fn update_phone_view(&mut self, now: Time) {
        for s in 0..2 {
            let answering = self.answering(s);
            let reaches_mailbox = self.mailbox_ok(s);
            let mailbox_ok = answering && reaches_mailbox;
            let server = &self.servers[s];
            let graceful = matches!(
                server.status,
                Status::Deactivated | Status::Starting | Status::ReplicatingData | Status::SplitBrainRecovery
            ) || !server.taking_calls;
            let stale_until = if answering {
                Time::ZERO
            } else if server.answering && !graceful {
                now.saturating_add(self.cfg.dead_server_detect)
            } else if graceful {
                Time::ZERO
            } else {
                server.stale_until
            };
            let server = &mut self.servers[s];
            server.answering = answering;
            server.mailbox_ok = mailbox_ok;
            server.reaches_mailbox = reaches_mailbox;
            server.stale_until = stale_until;
        }
    }

    /// R16: messages waiting for a Notifier are released once a primary's
    /// Notifier can see them (its own store, or replicated to it).
    pub(super) fn release_waiting_messages(&mut self, now: Time) {
        for s in 0..2 {
            if self.waiting[s].is_empty() {
                continue;
            }
            let target = if self.holds_primary_role(s) && !self.recovery {
                Some(s)
            } else if self.holds_primary_role(peer(s)) && self.replicating() {
                Some(peer(s))
            } else {
                None
            };
            if let Some(q) = target {
                let count = self.waiting[s].count;
                self.notifiers[q].release(&mut self.waiting[s], now, self.cfg.mwi_spacing, &mut self.tally.mwi);
                self.trace.event(now, Actor::server(q), EventKind::MwiBacklogReleased, Fields::count(count), || {
                    format!("{count} waiting message(s) from {} reach the Notifier", server_name(s))
                });
            }
        }
    }
}
