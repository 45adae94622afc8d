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

/// The metrics the tables print by default: what the users' questions are
/// about (voice, then chat; each table keeps those its run has).
pub const HEADLINE: [&str; 15] = [
    "blocking_probability",
    "calls_blocked",
    "calls_dropped",
    "mailbox_unavailable_calls",
    "messages_failed",
    "mailbox_unavailable_s",
    "split_brain_s",
    "availability",
    "service_availability",
    "posts_lost",
    "rpo_s",
    "outage_s",
    "unmirrored_s",
    "compliance_records_lost",
    "posts_refused",
];

/// The [`HEADLINE`] metrics among `known` (a run's metrics), in headline order.
pub fn headline(known: &[&'static str]) -> Vec<&'static str> {
    HEADLINE.iter().filter_map(|h| known.iter().find(|k| *k == h).copied()).collect()
}

/// Every metric name of either kind: the voice metrics, then the chat
/// metrics (`availability` is in both).
pub fn every_name() -> Vec<&'static str> {
    Metric::ALL.iter().map(|m| m.name()).chain(CHAT).collect()
}

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

/// docs/metrics.md, the metrics' reference: its tables give each metric's
/// unit and definition once, for people reading the docs and for the report.
const DOCS: &str = include_str!("../docs/metrics.md");

/// A metric's unit and one-line definition, as docs/metrics.md gives them
/// (Markdown: `code` and *emphasis*).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meaning {
    pub unit: &'static str,
    pub definition: &'static str,
}

/// The meaning of metric `name` in a run of the chat kind or the voice kind
/// (`availability` is defined for each), or `None` for a name the kind's
/// table lacks.
pub fn meaning(name: &str, chat: bool) -> Option<Meaning> {
    let heading = if chat { "\n## Chat metrics" } else { "\n## Voice metrics" };
    let section = &DOCS[DOCS.find(heading)? + 1..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    section.lines().find_map(|line| {
        // | `name` | unit | definition | rules |
        let (metric, rest) = line.strip_prefix("| `")?.split_once("` | ")?;
        let (unit, rest) = rest.split_once(" | ")?;
        let (definition, _rules) = rest.strip_suffix(" |")?.rsplit_once(" | ")?;
        (metric == name).then_some(Meaning { unit, definition })
    })
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
    fn every_metric_of_both_kinds_has_a_meaning_in_the_docs() {
        for m in Metric::ALL {
            assert!(meaning(m.name(), false).is_some_and(|m| !m.definition.is_empty()), "{}", m.name());
        }
        for name in CHAT {
            assert!(meaning(name, true).is_some_and(|m| !m.definition.is_empty()), "{name}");
        }
        let voice = meaning("availability", false).unwrap();
        assert_eq!((voice.unit, voice.definition), ("fraction", "`1 − cluster_unavailable_s / (to − from)`"));
        assert_eq!(meaning("availability", true).unwrap().definition, "`1 − outage_s / (to − from)`");
        assert_eq!(meaning("calls_offered", false).unwrap().unit, "calls");
        assert_eq!(meaning("posts_lost", false), None);
        assert_eq!(meaning("no_such_metric", true), None);
    }

    #[test]
    fn metric_order_matches_the_enum() {
        for (i, m) in Metric::ALL.iter().enumerate() {
            assert_eq!(*m as usize, i);
            assert_eq!(Metric::from_name(m.name()), Some(*m));
        }
    }
}
