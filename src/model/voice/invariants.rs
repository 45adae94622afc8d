//! The invariant checker (STYLE.md practice 5): run after every event in tests
//! and debug builds. It re-derives what `settle` caches and checks the laws the
//! model must keep whatever the scenario.

use super::{PUBLISHER, SUBSCRIBER, Voice, peer, server_name};
use crate::engine::Time;
use crate::model::trace::Tracer;
use crate::scenario::Status;

/// The status changes the rules can make (R4, R7–R12, R15): the edges of the
/// state diagram in docs/model.md, which a test keeps equal to this list.
pub fn allowed_transition(from: Status, to: Status) -> bool {
    use Status::*;
    matches!(
        (from, to),
        (Primary, Secondary | NotFunctioning | ReplicatingData | SplitBrainRecovery)
            | (Secondary, Primary | Deactivated | NotFunctioning | ReplicatingData)
            | (Deactivated, Starting | NotFunctioning)
            | (NotFunctioning, Starting)
            | (Starting, Primary | Secondary | Deactivated | NotFunctioning)
            | (ReplicatingData, Primary | Secondary | NotFunctioning)
            | (SplitBrainRecovery, Primary | Secondary | NotFunctioning)
    )
}

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

impl<T: Tracer> Voice<T> {
    pub(super) fn check_invariants(&self, now: Time) -> Result<(), String> {
        let t = &self.tally;
        let in_progress = self.calls.measured_in_progress();
        ensure!(
            t.offered == t.answered + t.blocked,
            "offered {} ≠ answered {} + blocked {}",
            t.offered,
            t.answered,
            t.blocked
        );
        ensure!(
            t.answered == t.completed + t.dropped + in_progress,
            "answered {} ≠ completed {} + dropped {} + in progress {}",
            t.answered,
            t.completed,
            t.dropped,
            in_progress
        );
        ensure!(t.answered_wrongly == 0, "a call was answered by a server that answers no calls (R2, R12, R15)");
        let mut total_busy = 0;
        for s in 0..2 {
            let server = &self.servers[s];
            let name = server_name(s);
            ensure!(
                server.busy == self.calls.in_progress(s),
                "{name} busy count {} disagrees with its calls",
                server.busy
            );
            ensure!(
                server.busy <= server.capacity,
                "{name} carries {} calls on {} ports",
                server.busy,
                server.capacity
            );
            ensure!(server.busy == 0 || self.can_carry(s), "{name} holds calls while it cannot carry them");
            ensure!(server.answering == self.answering(s), "{name}'s cached answering flag is stale");
            ensure!(
                server.mailbox_ok == (server.answering && self.mailbox_ok(s)),
                "{name}'s cached mailbox flag is stale"
            );
            ensure!(server.reaches_mailbox == self.mailbox_ok(s), "{name}'s cached mailbox reach is stale");
            ensure!(
                (server.status == Status::NotFunctioning) == (server.down_causes > 0),
                "{name} is {} with {} crash cause(s)",
                server.status.as_str(),
                server.down_causes
            );
            ensure!(
                server.takeover_pending.is_none() || server.status == Status::Secondary,
                "{name} is promoting itself while {}",
                server.status.as_str()
            );
            ensure!(now >= server.stale_until || !server.answering, "{name} is stale while answering");
            let open = self.functioning(s) && self.functioning(peer(s)) && self.link_up(s, peer(s));
            ensure!(self.channels[s].is_open() == open, "keepalive channel from {name} is out of date");
            total_busy += server.busy;
        }
        ensure!(self.shared_busy == total_busy, "shared port count {} ≠ calls {}", self.shared_busy, total_busy);
        if let Some(pool) = self.cfg.plan.shared_ports {
            ensure!(self.shared_busy <= pool, "{} calls on {pool} shared ports", self.shared_busy);
        }
        let [p, s] = [&self.servers[PUBLISHER], &self.servers[SUBSCRIBER]];
        if p.status == Status::Primary && s.status == Status::Primary {
            ensure!(!(p.peer_available && s.peer_available), "two primaries while the servers hear each other");
        }
        ensure!(
            self.recovery == self.servers.iter().all(|sv| sv.status == Status::SplitBrainRecovery),
            "split-brain recovery flag disagrees with the statuses"
        );
        let c = &t.clocks;
        ensure!(c.split.is_zero() || c.split_episodes > 0, "{} µs of split brain in no episode", c.split);
        ensure!(
            c.split <= c.since.min(self.cfg.to).saturating_sub(self.cfg.from),
            "more split brain than measured time"
        );
        for s in 0..2 {
            let server = &self.servers[s];
            ensure!(
                !server.deactivated
                    || matches!(server.status, Status::Deactivated | Status::NotFunctioning | Status::Starting),
                "{} is configured deactivated but {}",
                server_name(s),
                server.status.as_str()
            );
        }
        self.trace.check_load(now, [self.servers[PUBLISHER].busy, self.servers[SUBSCRIBER].busy])?;
        Ok(())
    }
}
