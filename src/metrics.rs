//! The metrics of both kinds of model (docs/metrics.md), by name: the vocabulary
//! that results files, `expect:` entries, `--target` and `--precision` share.
//! Voice metrics come in the rules' order, then the extras; chat metrics are [`CHAT`].

/// The metrics of a persistent_chat run, in column order.
pub const CHAT: [&str; 10] = [
    "posts",
    "posts_refused",
    "posts_lost",
    "outage_s",
    "unmirrored_s",
    "compliance_records_lost",
    "availability",
    "rpo_s",
    "backups_applied",
    "posts_in_uncopied_backups",
];

/// A voice metric's identity; its position in [`Metric::ALL`] is its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Metric {
    CallsOffered,
    CallsAnswered,
    CallsBlocked,
    CallsDropped,
    CallsCompleted,
    BlockingProbability,
    MessagesLeft,
    MessagesFailed,
    MailboxUnavailableCalls,
    SplitBrainMessages,
    MwiDelayMaxS,
    MwiDelayMeanS,
    ClusterUnavailableS,
    MailboxUnavailableS,
    SplitBrainS,
    SplitBrainEpisodes,
    Failovers,
    DetectionDelayMaxS,
    MailboxSyncDownS,
    Availability,
    ServiceAvailability,
    // Beyond the rules' own list: what makes the conservation laws checkable and R18 visible.
    CallsInProgressEnd,
    CallsBlockedStale,
    ServiceUnavailableS,
    MessagesMwiPending,
    SplitBrainRecoveryS,
}

impl Metric {
    pub const ALL: [Metric; 26] = [
        Metric::CallsOffered,
        Metric::CallsAnswered,
        Metric::CallsBlocked,
        Metric::CallsDropped,
        Metric::CallsCompleted,
        Metric::BlockingProbability,
        Metric::MessagesLeft,
        Metric::MessagesFailed,
        Metric::MailboxUnavailableCalls,
        Metric::SplitBrainMessages,
        Metric::MwiDelayMaxS,
        Metric::MwiDelayMeanS,
        Metric::ClusterUnavailableS,
        Metric::MailboxUnavailableS,
        Metric::SplitBrainS,
        Metric::SplitBrainEpisodes,
        Metric::Failovers,
        Metric::DetectionDelayMaxS,
        Metric::MailboxSyncDownS,
        Metric::Availability,
        Metric::ServiceAvailability,
        Metric::CallsInProgressEnd,
        Metric::CallsBlockedStale,
        Metric::ServiceUnavailableS,
        Metric::MessagesMwiPending,
        Metric::SplitBrainRecoveryS,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Metric::CallsOffered => "calls_offered",
            Metric::CallsAnswered => "calls_answered",
            Metric::CallsBlocked => "calls_blocked",
            Metric::CallsDropped => "calls_dropped",
            Metric::CallsCompleted => "calls_completed",
            Metric::BlockingProbability => "blocking_probability",
            Metric::MessagesLeft => "messages_left",
            Metric::MessagesFailed => "messages_failed",
            Metric::MailboxUnavailableCalls => "mailbox_unavailable_calls",
            Metric::SplitBrainMessages => "split_brain_messages",
            Metric::MwiDelayMaxS => "mwi_delay_max_s",
            Metric::MwiDelayMeanS => "mwi_delay_mean_s",
            Metric::ClusterUnavailableS => "cluster_unavailable_s",
            Metric::MailboxUnavailableS => "mailbox_unavailable_s",
            Metric::SplitBrainS => "split_brain_s",
            Metric::SplitBrainEpisodes => "split_brain_episodes",
            Metric::Failovers => "failovers",
            Metric::DetectionDelayMaxS => "detection_delay_max_s",
            Metric::MailboxSyncDownS => "mailbox_sync_down_s",
            Metric::Availability => "availability",
            Metric::ServiceAvailability => "service_availability",
            Metric::CallsInProgressEnd => "calls_in_progress_end",
            Metric::CallsBlockedStale => "calls_blocked_stale",
            Metric::ServiceUnavailableS => "service_unavailable_s",
            Metric::MessagesMwiPending => "messages_mwi_pending",
            Metric::SplitBrainRecoveryS => "split_brain_recovery_s",
        }
    }

    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// What each metric measures, in one line, for the report and the docs:
/// every voice metric of [`Metric::ALL`] and every chat metric of [`CHAT`].
const MEANINGS: [(&str, &str); 36] = [
    ("calls_offered", "calls the phone system offered to the cluster"),
    ("calls_answered", "offered calls a voice-messaging port answered"),
    ("calls_blocked", "offered calls no port answered (every port busy, or no server answering)"),
    (
        "calls_dropped",
        "answered calls cut off before they ended (a crash, a deactivation, a server cut from the phone system)",
    ),
    ("calls_completed", "answered calls that ended normally"),
    ("blocking_probability", "calls blocked ÷ calls offered"),
    ("messages_left", "messages saved to a mailbox"),
    ("messages_failed", "messages callers recorded that were lost: their server could not reach the mailbox"),
    ("mailbox_unavailable_calls", "answered calls whose server could not reach the mailboxes"),
    ("split_brain_messages", "messages left while both servers were primary (reconciled by split-brain recovery)"),
    ("mwi_delay_max_s", "longest wait from a message to its message-waiting indicator, seconds"),
    ("mwi_delay_mean_s", "mean wait from a message to its message-waiting indicator, seconds"),
    ("cluster_unavailable_s", "seconds during which no server answered calls"),
    ("mailbox_unavailable_s", "seconds during which some answering server gave no mailbox access"),
    ("split_brain_s", "seconds with two primaries"),
    ("split_brain_episodes", "episodes of two primaries"),
    ("failovers", "automatic status changes that made a new primary"),
    (
        "detection_delay_max_s",
        "longest time from a server falling silent to its peer missing its keepalives, seconds (0 when none)",
    ),
    ("mailbox_sync_down_s", "seconds during which no primary ran mailbox sync"),
    ("availability", "1 − cluster_unavailable_s ÷ measured time"),
    ("service_availability", "1 − time with calls or mailboxes unavailable ÷ measured time"),
    ("calls_in_progress_end", "calls still in progress when the run ends (closes the conservation of calls)"),
    ("calls_blocked_stale", "calls the phone system offered to a server it still believed up"),
    ("service_unavailable_s", "seconds with calls or mailboxes unavailable"),
    ("messages_mwi_pending", "messages still waiting for their indicator when the run ends"),
    ("split_brain_recovery_s", "seconds spent in split-brain recovery"),
    ("posts", "chat posts accepted"),
    ("posts_refused", "chat posts refused while the service was down"),
    ("posts_lost", "accepted posts lost with the primary data centre (not in a log backup that survived)"),
    ("outage_s", "seconds from the data-centre loss until the runbook's last step (the RTO)"),
    ("unmirrored_s", "seconds the backup database ran as primary without a mirror"),
    ("compliance_records_lost", "compliance records the adapter had not processed when the data centre was lost"),
    ("availability", "1 − outage_s ÷ measured time"),
    ("rpo_s", "seconds of posts lost: from the last surviving log backup to the loss (the RPO)"),
    ("backups_applied", "log backups the runbook applied by hand"),
    ("posts_in_uncopied_backups", "posts in backups taken but not yet copied when the data centre was lost"),
];

/// The one-line meaning of metric `name` of a run of `kind` (`availability`
/// differs between the two), or `None` for a name neither kind reports.
pub fn meaning(name: &str, chat: bool) -> Option<&'static str> {
    let mut found = MEANINGS.iter().filter(|(n, _)| *n == name).map(|(_, m)| *m);
    let first = found.next()?;
    Some(if chat { found.next().unwrap_or(first) } else { first })
}

/// One replication's metric values, indexed by [`Metric`].
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    values: [f64; Metric::ALL.len()],
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics { values: [0.0; Metric::ALL.len()] }
    }
}

impl Metrics {
    pub fn get(&self, m: Metric) -> f64 {
        self.values[m as usize]
    }
    pub fn set(&mut self, m: Metric, v: f64) {
        self.values[m as usize] = v;
    }
    /// (name, value) pairs in column order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        Metric::ALL.iter().map(|m| (m.name(), self.values[*m as usize]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_of_both_kinds_has_a_meaning() {
        for m in Metric::ALL {
            assert!(meaning(m.name(), false).is_some(), "{}", m.name());
        }
        for name in CHAT {
            assert!(meaning(name, true).is_some(), "{name}");
        }
        assert_eq!(meaning("availability", false), Some("1 − cluster_unavailable_s ÷ measured time"));
        assert_eq!(meaning("availability", true), Some("1 − outage_s ÷ measured time"));
        assert_eq!(meaning("no_such_metric", false), None);
    }

    #[test]
    fn metric_order_matches_the_enum() {
        for (i, m) in Metric::ALL.iter().enumerate() {
            assert_eq!(*m as usize, i);
            assert_eq!(Metric::from_name(m.name()), Some(*m));
        }
    }
}
