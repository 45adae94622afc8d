//! Calls: arrival, routing by the phone system (R17, R18), answer, end and drop.
//! This is the hot path; it reads the flags `settle` caches and changes no
//! server state beyond port counts.

use super::{Ev, PUBLISHER, SUBSCRIBER, Voice, peer};
use crate::engine::{Scheduler, Time};
use crate::model::trace::{Actor, CallMark, EventKind, Fields, Tracer};
use crate::model::traffic::leaves_message;
use crate::scenario::{Routing, Status};
use rand::RngExt;

/// A call holding a port.
#[derive(Debug, Clone, Copy, Default)]
struct Call {
    /// When the call ends, unless dropped first.
    end: Time,
    active: bool,
    server: u8,
    leaves_message: bool,
    /// The mailbox was reachable when it was answered (R6's first moment).
    mailbox_ok: bool,
    /// Already counted in `mailbox_unavailable_calls`.
    counted: bool,
    /// Arrived in the measured window: its fate counts.
    measured: bool,
}

/// Calls in progress in a slab. An end event names only its slot: it ends the
/// call there if that call ends now. The end event of a dropped call finds its
/// slot empty, or holding a call that ends at another time — or, by chance, at
/// the same microsecond, and then ending it is right. (The slot alone keeps
/// the event at 8 bytes, so the queue moves 24-byte entries.)
#[derive(Debug, Default)]
pub(super) struct CallTable {
    slots: Vec<Call>,
    free: Vec<u32>,
}

impl CallTable {
    #[inline]
    fn insert(&mut self, mut call: Call) -> u32 {
        call.active = true;
        match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = call;
                slot
            }
            None => {
                self.slots.push(call);
                (self.slots.len() - 1) as u32
            }
        }
    }

    #[inline]
    fn take(&mut self, slot: u32, now: Time) -> Option<Call> {
        let entry = self.slots.get_mut(slot as usize)?;
        if !entry.active || entry.end != now {
            return None;
        }
        entry.active = false;
        self.free.push(slot);
        Some(*entry)
    }

    /// Ends every call on `server`, returning (all, measured) counts.
    fn drop_server(&mut self, server: usize) -> (u32, u64) {
        let (mut all, mut measured) = (0, 0);
        for (slot, entry) in self.slots.iter_mut().enumerate() {
            if entry.active && entry.server as usize == server {
                entry.active = false;
                self.free.push(slot as u32);
                all += 1;
                measured += entry.measured as u64;
            }
        }
        (all, measured)
    }

    /// R15's unmounted store: every call in progress that was using a mailbox
    /// loses it and counts in `mailbox_unavailable_calls` (once). Users
    /// checking messages lose it for good; a caller leaving a message needs
    /// the store only to save the recording, when the call ends (R6).
    /// Returns (all, measured) calls affected.
    pub(super) fn lose_mailboxes(&mut self) -> (u32, u64) {
        let (mut all, mut measured) = (0, 0);
        for entry in self.slots.iter_mut().filter(|e| e.active && e.mailbox_ok && !e.counted) {
            entry.mailbox_ok = entry.leaves_message;
            entry.counted = true;
            all += 1;
            measured += entry.measured as u64;
        }
        (all, measured)
    }

    pub(super) fn in_progress(&self, server: usize) -> u32 {
        self.slots.iter().filter(|e| e.active && e.server as usize == server).count() as u32
    }

    pub(super) fn measured_in_progress(&self) -> u64 {
        self.slots.iter().filter(|e| e.active && e.measured).count() as u64
    }
}

/// Why the phone system could not place a call.
enum Block {
    /// No free port on any server that answers (or the shared pool is full).
    NoPort,
    /// Offered to a server that stopped answering but that the phone system
    /// still believes up (R18): ring, no answer.
    Stale,
}

impl<T: Tracer> Voice<T> {
    pub(super) fn on_arrival(&mut self, sched: &mut Scheduler<Ev>) {
        let now = sched.now();
        if let Some(next) = self.arrivals.next_after(now).filter(|t| *t < self.cfg.horizon) {
            sched.schedule_chain(next, Ev::Arrival);
        }
        // Drawn for every call, answered or not, so that strategies compared on
        // one seed see the same calls.
        let hold = self.hold.sample(&mut self.hold_rng);
        let leaves = leaves_message(&mut self.kind_rng, self.cfg.leave_fraction);
        let measured = self.measured(now);
        self.tally.offered += measured as u64;
        match self.route(now) {
            Err(block) => {
                if measured {
                    self.tally.blocked += 1;
                    self.tally.blocked_stale += matches!(block, Block::Stale) as u64;
                }
                self.trace.mark(now, CallMark::Blocked, 1);
            }
            Ok(s) => self.answer(s, hold, leaves, measured, sched),
        }
    }

    fn answer(&mut self, s: usize, hold: Time, leaves: bool, measured: bool, sched: &mut Scheduler<Ev>) {
        let now = sched.now();
        if self.cfg.check && !self.answering(s) {
            // Recomputed from the state, not the cache: the checker reports it.
            self.tally.answered_wrongly += 1;
        }
        let mailbox_ok = self.servers[s].mailbox_ok;
        if measured {
            self.tally.answered += 1;
            if !mailbox_ok {
                // R6: no mailbox; a caller leaving a message hears silence.
                self.tally.mailbox_unavailable_calls += 1;
                self.tally.messages_failed += leaves as u64;
            }
        }
        if !mailbox_ok {
            self.trace.mark(now, CallMark::MailboxUnavailable, 1);
        }
        let end = now.saturating_add(hold);
        let call = Call {
            end,
            server: s as u8,
            leaves_message: leaves,
            mailbox_ok,
            counted: !mailbox_ok,
            measured,
            ..Call::default()
        };
        let slot = self.calls.insert(call);
        self.servers[s].busy += 1;
        self.shared_busy += 1;
        self.trace.load(now, s, self.servers[s].busy);
        sched.schedule_at(end, Ev::CallEnd { slot });
    }

    /// R17/R18: the server the phone system places this call on.
    #[inline]
    fn route(&mut self, now: Time) -> Result<usize, Block> {
        if self.cfg.plan.shared_ports.is_some_and(|pool| self.shared_busy >= pool) {
            return Err(Block::NoPort);
        }
        for s in self.routing_order() {
            let server = &self.servers[s];
            if !server.taking_calls {
                continue;
            }
            if server.answering {
                if server.busy < server.capacity {
                    return Ok(s);
                }
                if !self.cfg.plan.overflow {
                    return Err(Block::NoPort);
                }
            } else if now < server.stale_until {
                return Err(Block::Stale);
            }
        }
        Err(Block::NoPort)
    }

    #[inline]
    fn routing_order(&mut self) -> [usize; 2] {
        match self.cfg.plan.routing {
            Routing::SubscriberFirst => [SUBSCRIBER, PUBLISHER],
            Routing::PublisherFirst => [PUBLISHER, SUBSCRIBER],
            Routing::RoundRobin => {
                let first = self.round_robin_next;
                self.round_robin_next = peer(first);
                [first, peer(first)]
            }
            Routing::Random => {
                let first = self.routing_rng.random_range(0..2usize);
                [first, peer(first)]
            }
            Routing::LeastBusy => {
                let [p, s] = [&self.servers[PUBLISHER], &self.servers[SUBSCRIBER]];
                // Fewest calls in progress first; then most free ports; then the publisher.
                let p_key = (p.busy, std::cmp::Reverse(p.capacity.saturating_sub(p.busy)));
                let s_key = (s.busy, std::cmp::Reverse(s.capacity.saturating_sub(s.busy)));
                if s_key < p_key { [SUBSCRIBER, PUBLISHER] } else { [PUBLISHER, SUBSCRIBER] }
            }
        }
    }

    pub(super) fn on_call_end(&mut self, slot: u32, now: Time) {
        let Some(call) = self.calls.take(slot, now) else {
            return; // dropped earlier
        };
        let s = call.server as usize;
        self.servers[s].busy -= 1;
        self.shared_busy -= 1;
        self.trace.load(now, s, self.servers[s].busy);
        if call.measured {
            self.tally.completed += 1;
        }
        if call.leaves_message && call.mailbox_ok {
            if self.servers[s].reaches_mailbox {
                self.message_left(s, now, call.measured);
            } else {
                // R6: the mailbox must be reachable when the recording ends
                // too (a primary gone, a stopped database, R15's unmounted
                // store): the message is lost.
                self.tally.messages_failed += call.measured as u64;
                if !call.counted {
                    self.tally.mailbox_unavailable_calls += call.measured as u64;
                    self.trace.mark(now, CallMark::MailboxUnavailable, 1);
                }
            }
        }
    }

    /// A message recorded on `s` at `now` waits for its MWI (R16).
    fn message_left(&mut self, s: usize, now: Time, measured: bool) {
        let split = self.servers.iter().all(|sv| sv.status == Status::Primary);
        if measured {
            self.tally.messages_left += 1;
            self.tally.split_brain_messages += split as u64;
        }
        self.episode_messages += split as u64;
        let spacing = self.cfg.mwi_spacing;
        if self.holds_primary_role(s) && !self.recovery {
            self.notifiers[s].send(now, spacing, &mut self.tally.mwi, measured);
        } else if self.holds_primary_role(peer(s)) && self.replicating() {
            self.notifiers[peer(s)].send(now, spacing, &mut self.tally.mwi, measured);
        } else if measured {
            self.waiting[s].push(now, spacing);
        }
    }

    /// Drops every call in progress on `s` (crash, deactivation, lost phone
    /// link, stopped conversation manager).
    pub(super) fn drop_calls(&mut self, s: usize, now: Time) {
        let (all, measured) = self.calls.drop_server(s);
        self.servers[s].busy -= all;
        self.shared_busy -= all;
        self.tally.dropped += measured;
        self.trace.load(now, s, 0);
        self.trace.mark(now, CallMark::Dropped, all);
        self.trace.event(now, Actor::server(s), EventKind::CallsDropped, Fields::count(all as u64), || {
            format!("{all} call(s) in progress dropped")
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RunOptions;
    use crate::model::trace::NoTrace;
    use crate::scenario::{Scenario, parse_str};

    fn build(phone_system: &str, options: RunOptions) -> (Voice<NoTrace>, Scheduler<Ev>) {
        let yaml = format!("duration: 1h\nphone_system: {phone_system}\n");
        let Ok(Scenario::Voice(scenario)) = parse_str("t.yaml", "t", &yaml) else { panic!("a voice scenario") };
        Voice::new(&scenario, 0, options, NoTrace)
    }

    fn model(phone_system: &str) -> Voice<NoTrace> {
        build(phone_system, RunOptions::default()).0
    }

    /// The invariant checker's own count: with checks on, each call placed on
    /// a server that answers no calls (R2: here one that is not functioning)
    /// is counted as answered wrongly, which fails the run's invariants. The
    /// router never does this; the test places the calls by hand.
    #[test]
    fn r2_the_checker_counts_a_call_answered_by_a_server_that_answers_none() {
        let options = RunOptions { check_invariants: true, ..RunOptions::default() };
        let (mut model, mut sched) = build("{integration: sccp}", options);
        model.answer(SUBSCRIBER, Time::from_us(5), false, true, &mut sched);
        assert_eq!(model.tally.answered_wrongly, 0, "the subscriber answers at the start");
        model.servers[SUBSCRIBER].status = Status::NotFunctioning;
        model.answer(SUBSCRIBER, Time::from_us(5), false, true, &mut sched);
        model.answer(SUBSCRIBER, Time::from_us(5), false, true, &mut sched);
        assert_eq!(model.tally.answered_wrongly, 2);
    }

    /// R17's `least_busy`: fewer calls in progress first, then more free
    /// ports, then the publisher. Ten ports per server (sip_trunk's half of 20).
    #[test]
    fn r17_least_busy_offers_to_fewer_calls_then_more_free_ports_then_the_publisher() {
        let mut m = model(
            "{integration: sip_trunk, ports: 20, allocation: {publisher: 10, subscriber: 10}, routing: least_busy}",
        );
        for (busy, subscriber_capacity, order) in [
            ([3, 1], 10, [SUBSCRIBER, PUBLISHER]),
            ([1, 3], 10, [PUBLISHER, SUBSCRIBER]),
            ([2, 2], 10, [PUBLISHER, SUBSCRIBER]),
            ([2, 2], 12, [SUBSCRIBER, PUBLISHER]),
            ([2, 2], 8, [PUBLISHER, SUBSCRIBER]),
        ] {
            m.servers[PUBLISHER].busy = busy[0];
            m.servers[SUBSCRIBER].busy = busy[1];
            m.servers[SUBSCRIBER].capacity = subscriber_capacity;
            assert_eq!(m.routing_order(), order, "busy {busy:?}, subscriber capacity {subscriber_capacity}");
        }
    }

    /// R18's window is half-open: for `dead_server_detect` after a server
    /// stops answering abruptly a call offered to it rings unanswered; from
    /// the window's end on, the server is skipped.
    #[test]
    fn r18_the_stale_window_ends_at_its_end_exclusive() {
        let mut m =
            model("{integration: sccp, ports: 8, allocation: {publisher: 4, subscriber: 4}, routing: publisher_first}");
        let end = Time::from_us(10_000_000);
        m.servers[PUBLISHER].answering = false;
        m.servers[PUBLISHER].stale_until = end;
        assert!(matches!(m.route(end - Time::from_us(1)), Err(Block::Stale)));
        assert!(matches!(m.route(end), Ok(SUBSCRIBER)));
    }
}
