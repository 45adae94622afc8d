//! Counters and clocks of one replication, and the metrics they close into
//! at the horizon (docs/metrics.md), measured over the window `[from, to)`.

use super::{Voice, mwi};
use crate::engine::{self, Time};
use crate::model::metrics::{Metric, Metrics};
use crate::model::trace::{Actor, EventKind, Fields, Tracer};
use crate::scenario::{Service, Status};
use mwi::MwiStats;

/// Counters and clocks of one replication.
#[derive(Debug, Clone, Default)]
pub(super) struct Tally {
    pub(super) offered: u64,
    pub(super) answered: u64,
    pub(super) blocked: u64,
    pub(super) blocked_stale: u64,
    pub(super) dropped: u64,
    pub(super) completed: u64,
    pub(super) messages_left: u64,
    pub(super) messages_failed: u64,
    pub(super) mailbox_unavailable_calls: u64,
    pub(super) split_brain_messages: u64,
    pub(super) failovers: u64,
    pub(super) detection_delay_max: Time,
    /// Calls answered by a server that does not answer calls (R2): always 0
    /// unless the model is wrong; counted only when checking invariants.
    pub(super) answered_wrongly: u64,
    pub(super) mwi: MwiStats,
    pub(super) clocks: Clocks,
}

/// Time integrals of the availability conditions over the measured window.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Clocks {
    pub(super) since: Time,
    pub(super) flags: Flags,
    /// The split brain going on has been counted as an episode.
    pub(super) split_counted: bool,
    pub(super) split_episodes: u64,
    pub(super) cluster_down: Time,
    pub(super) mailbox_down: Time,
    pub(super) service_down: Time,
    pub(super) split: Time,
    pub(super) sync_down: Time,
    pub(super) recovery: Time,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Flags {
    pub(super) cluster_down: bool,
    pub(super) mailbox_down: bool,
    pub(super) split: bool,
    pub(super) sync_down: bool,
    pub(super) recovery: bool,
}

impl Clocks {
    /// Adds the time since the last change, clipped to the window
    /// `[window_from, window_to)`. A split brain is counted as an episode as
    /// soon as it has measured time, so its time never comes without it.
    fn advance(&mut self, now: Time, window_from: Time, window_to: Time) {
        let from = self.since.max(window_from);
        let to = now.min(window_to);
        if to > from {
            if self.flags.split && !self.split_counted {
                self.split_counted = true;
                self.split_episodes += 1;
            }
            let dt = to - from;
            let f = self.flags;
            self.cluster_down += dt * f.cluster_down as u64;
            self.mailbox_down += dt * f.mailbox_down as u64;
            self.service_down += dt * (f.cluster_down || f.mailbox_down) as u64;
            self.split += dt * f.split as u64;
            self.sync_down += dt * f.sync_down as u64;
            self.recovery += dt * f.recovery as u64;
        }
        self.since = now;
    }
}

impl<T: Tracer> Voice<T> {
    pub(super) fn update_clocks(&mut self, now: Time) {
        let answering = [self.servers[0].answering, self.servers[1].answering];
        let flags = Flags {
            cluster_down: !answering[0] && !answering[1],
            mailbox_down: (0..2).any(|s| answering[s] && !self.servers[s].mailbox_ok),
            split: self.servers.iter().all(|s| s.status == Status::Primary),
            recovery: self.recovery,
            // R12: a primary replicating data keeps running mailbox sync.
            sync_down: !(0..2).any(|s| self.holds_primary_role(s) && self.running(s, Service::MailboxSync)),
        };
        let measured = self.measured(now);
        let clocks = &mut self.tally.clocks;
        if flags == clocks.flags {
            return;
        }
        clocks.advance(now, self.cfg.from, self.cfg.to);
        if flags.split && !clocks.flags.split {
            // An episode that starts in the window counts even if it lasts
            // no time at all; one already going counts when the window opens.
            clocks.split_counted = measured;
            clocks.split_episodes += measured as u64;
            self.trace.event(now, Actor::Cluster, EventKind::SplitBrainStarted, Fields::NONE, || {
                "two servers are primary".into()
            });
        }
        clocks.flags = flags;
    }

    /// Closes the books at the horizon and reports the metrics.
    pub(super) fn finish(&mut self) -> Metrics {
        let horizon = self.cfg.horizon;
        let measured = (self.cfg.to - self.cfg.from).as_us() as f64;
        self.tally.clocks.advance(horizon, self.cfg.from, self.cfg.to);
        let mut mwi = self.tally.mwi;
        for w in &self.waiting {
            mwi::censor(w, horizon, &mut mwi);
        }
        let t = &self.tally;
        let c = &t.clocks;
        let secs = engine::to_secs;
        let in_progress = self.calls.measured_in_progress();
        let mut m = Metrics::default();
        let values = [
            (Metric::CallsOffered, t.offered as f64),
            (Metric::CallsAnswered, t.answered as f64),
            (Metric::CallsBlocked, t.blocked as f64),
            (Metric::CallsDropped, t.dropped as f64),
            (Metric::CallsCompleted, t.completed as f64),
            (Metric::BlockingProbability, if t.offered == 0 { 0.0 } else { t.blocked as f64 / t.offered as f64 }),
            (Metric::MessagesLeft, t.messages_left as f64),
            (Metric::MessagesFailed, t.messages_failed as f64),
            (Metric::MailboxUnavailableCalls, t.mailbox_unavailable_calls as f64),
            (Metric::SplitBrainMessages, t.split_brain_messages as f64),
            (Metric::MwiDelayMaxS, secs(mwi.max_delay)),
            (Metric::MwiDelayMeanS, if mwi.sent == 0 { 0.0 } else { mwi.sum_delay as f64 / mwi.sent as f64 / 1e6 }),
            (Metric::ClusterUnavailableS, secs(c.cluster_down)),
            (Metric::MailboxUnavailableS, secs(c.mailbox_down)),
            (Metric::SplitBrainS, secs(c.split)),
            (Metric::SplitBrainEpisodes, c.split_episodes as f64),
            (Metric::Failovers, t.failovers as f64),
            (Metric::DetectionDelayMaxS, secs(t.detection_delay_max)),
            (Metric::MailboxSyncDownS, secs(c.sync_down)),
            (Metric::Availability, 1.0 - c.cluster_down.as_us() as f64 / measured),
            (Metric::ServiceAvailability, 1.0 - c.service_down.as_us() as f64 / measured),
            (Metric::CallsInProgressEnd, in_progress as f64),
            (Metric::CallsBlockedStale, t.blocked_stale as f64),
            (Metric::ServiceUnavailableS, secs(c.service_down)),
            (Metric::MessagesMwiPending, self.waiting.iter().map(|w| w.count).sum::<u64>() as f64),
            (Metric::SplitBrainRecoveryS, secs(c.recovery)),
        ];
        for (metric, value) in values {
            m.set(metric, value);
        }
        m
    }
}
