//! What the voice model derives from its state: who functions, which links
//! are up, who holds the primary role, who answers calls and reaches mailboxes
//! (R2), whether replication flows (R12).

use super::{NETWORK, PHONE, PUBLISHER, SUBSCRIBER, Voice, peer};
use crate::engine::Time;
use crate::model::trace::Tracer;
use crate::scenario::{Service, Status};

impl<T: Tracer> Voice<T> {
    // ---- state queries ------------------------------------------------------

    #[inline]
    pub(super) fn functioning(&self, s: usize) -> bool {
        self.servers[s].status != Status::NotFunctioning
    }

    #[inline]
    pub(super) fn running(&self, s: usize, service: Service) -> bool {
        self.servers[s].stopped[service.index()] == 0
    }

    pub(super) fn all_services_running(&self, s: usize) -> bool {
        self.servers[s].stopped.iter().all(|n| *n == 0)
    }

    #[inline]
    pub(super) fn link_up(&self, from: usize, to: usize) -> bool {
        self.cuts[from][to] == 0
    }

    pub(super) fn both_ways(&self, a: usize, b: usize) -> bool {
        self.link_up(a, b) && self.link_up(b, a)
    }

    /// A `primary`, or a primary temporarily `replicating_data` (it keeps the
    /// active message store and its Notifier).
    pub(super) fn holds_primary_role(&self, s: usize) -> bool {
        let server = &self.servers[s];
        server.status == Status::Primary
            || (server.status == Status::ReplicatingData && server.resume == Status::Primary)
    }

    /// R2: answers new calls.
    pub(super) fn answering(&self, s: usize) -> bool {
        let server = &self.servers[s];
        matches!(server.status, Status::Primary | Status::Secondary)
            && server.taking_calls
            && self.running(s, Service::ConversationManager)
            && self.both_ways(s, PHONE)
    }

    /// Whether calls in progress on `s` continue (Table 3-3: status changes to
    /// replicating_data or split_brain_recovery do not affect them).
    pub(super) fn can_carry(&self, s: usize) -> bool {
        matches!(
            self.servers[s].status,
            Status::Primary | Status::Secondary | Status::ReplicatingData | Status::SplitBrainRecovery
        ) && self.running(s, Service::ConversationManager)
            && self.both_ways(s, PHONE)
    }

    /// Whether `s` uses its own message store: a primary (R2), or either
    /// server while it reconciles in R15's recovery.
    pub(super) fn own_store(&self, s: usize) -> bool {
        self.holds_primary_role(s) || self.servers[s].status == Status::SplitBrainRecovery
    }

    /// The message store `s` serves is mounted and its database runs.
    pub(super) fn store_mounted(&self, s: usize) -> bool {
        self.own_store(s) && self.running(s, Service::Database) && !self.unmounted
    }

    /// R2: a call on `s` reaches its mailbox (R6 asks this when a call is
    /// answered and when its recording ends).
    pub(super) fn mailbox_ok(&self, s: usize) -> bool {
        if !self.running(s, Service::Database) {
            return false;
        }
        if self.own_store(s) {
            self.store_mounted(s)
        } else {
            self.store_mounted(peer(s)) && self.both_ways(s, peer(s))
        }
    }

    /// R12: database and message-store replication flows between the servers.
    pub(super) fn replicating(&self) -> bool {
        (0..2).all(|s| {
            self.functioning(s)
                && self.servers[s].peer_available
                && self.running(s, Service::Replication)
                && self.servers[s].status != Status::Deactivated
        }) && self.both_ways(PUBLISHER, SUBSCRIBER)
            && !self.recovery
    }

    /// Whether `s`'s tick at `now` (if it has one) is already past.
    pub(super) fn tick_done(&self, s: usize, now: Time) -> bool {
        self.servers[s].last_tick == Some(now)
    }

    pub(super) fn can_ping(&self, s: usize) -> bool {
        self.both_ways(s, NETWORK)
    }

    /// Whether `now` falls in the measured window.
    pub(super) fn measured(&self, now: Time) -> bool {
        (self.cfg.from..self.cfg.to).contains(&now)
    }

    /// Whether an episode from `start` to `end` (inclusive) overlaps the
    /// measured window: every episode that does counts (docs/metrics.md).
    pub(super) fn overlaps_window(&self, start: Time, end: Time) -> bool {
        start < self.cfg.to && (end > self.cfg.from || (start == end && self.measured(start)))
    }
}
