//! Message-waiting indicators (R16).
//!
//! A message needs an MWI from a primary's Notifier. A Notifier sends one MWI
//! per `spacing` (1 / `delivery_per_second`); a message it can see is sent at
//! `max(visible, next_free)`. Messages that no running Notifier can see yet
//! (replication stopped, split-brain recovery) wait in a [`Waiting`] batch per
//! server, released as one burst when a Notifier can see them.
//!
//! A batch keeps three numbers instead of one timestamp per message, so memory
//! does not grow with a long outage: released at `B`, message k (in arrival
//! order, visible at v_k) gets its MWI at `B + k·spacing`, so
//!   Σ delay = n·B + spacing·n(n−1)/2 − Σ v_k,   max delay = B + max_k (k·spacing − v_k).

use crate::engine::Time;

/// Messages waiting for a Notifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    pub count: u64,
    sum_visible: u128,
    min_visible: Time,
    /// max over k of (k·spacing − v_k).
    max_offset: i128,
}

impl Default for Waiting {
    fn default() -> Self {
        Waiting { count: 0, sum_visible: 0, min_visible: Time::MAX, max_offset: i128::MIN }
    }
}

impl Waiting {
    pub fn push(&mut self, visible: Time, spacing: Time) {
        let offset = self.count as i128 * spacing.as_us() as i128 - visible.as_us() as i128;
        self.max_offset = self.max_offset.max(offset);
        self.count += 1;
        self.sum_visible += visible.as_us() as u128;
        self.min_visible = self.min_visible.min(visible);
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// MWI delays sent so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MwiStats {
    pub sent: u64,
    pub sum_delay: u128,
    pub max_delay: Time,
}

/// A server's Notifier queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Notifier {
    pub next_free: Time,
}

impl Notifier {
    /// Sends the MWI of one message visible at `visible` (≤ now).
    pub fn send(&mut self, visible: Time, spacing: Time, stats: &mut MwiStats, measured: bool) {
        let at = visible.max(self.next_free);
        self.next_free = at.saturating_add(spacing);
        if measured {
            stats.sent += 1;
            stats.sum_delay += (at - visible).as_us() as u128;
            stats.max_delay = stats.max_delay.max(at - visible);
        }
    }

    /// Sends a waiting batch, starting at `now` or when the queue frees.
    pub fn release(&mut self, batch: &mut Waiting, now: Time, spacing: Time, stats: &mut MwiStats) {
        if batch.is_empty() {
            return;
        }
        let start = now.max(self.next_free);
        let n = batch.count as u128;
        let spacing_wide = spacing.as_us() as u128;
        stats.sent += batch.count;
        stats.sum_delay += n * start.as_us() as u128 + spacing_wide * n * (n - 1) / 2 - batch.sum_visible;
        let max = start.as_us() as i128 + batch.max_offset;
        stats.max_delay = stats.max_delay.max(Time::from_us(max.max(0) as u64));
        self.next_free = start.saturating_add(Time::from_us((n * spacing_wide).min(u64::MAX as u128) as u64));
        *batch = Waiting::default();
    }
}

/// Adds messages still waiting at `end` to the stats, with their wait so far.
pub fn censor(batch: &Waiting, end: Time, stats: &mut MwiStats) {
    if batch.is_empty() {
        return;
    }
    stats.sent += batch.count;
    stats.sum_delay += batch.count as u128 * end.as_us() as u128 - batch.sum_visible;
    stats.max_delay = stats.max_delay.max(end.saturating_sub(batch.min_visible));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(us: u64) -> Time {
        Time::from_us(us)
    }

    #[test]
    fn r16_a_released_batch_drains_at_the_delivery_rate() {
        // Three messages visible at 10, 20, 30; released at 100 with spacing 5:
        // MWIs at 100, 105, 110 → delays 90, 85, 80 (sum 255, max 90).
        let mut batch = Waiting::default();
        for v in [10, 20, 30] {
            batch.push(t(v), t(5));
        }
        let mut n = Notifier::default();
        let mut stats = MwiStats::default();
        n.release(&mut batch, t(100), t(5), &mut stats);
        assert_eq!(stats, MwiStats { sent: 3, sum_delay: 255, max_delay: t(90) });
        assert_eq!(n.next_free, t(115));
        assert!(batch.is_empty());
        // The next live message, visible at 112, waits for the queue until 115.
        n.send(t(112), t(5), &mut stats, true);
        assert_eq!(stats, MwiStats { sent: 4, sum_delay: 258, max_delay: t(90) });
    }

    #[test]
    fn r16_the_largest_delay_need_not_be_the_first_message() {
        // Visible at 0 and 0 with spacing 10, released at 5: MWIs at 5 and 15 →
        // delays 5 and 15: the second message waits longest.
        let mut batch = Waiting::default();
        batch.push(t(0), t(10));
        batch.push(t(0), t(10));
        let mut stats = MwiStats::default();
        Notifier::default().release(&mut batch, t(5), t(10), &mut stats);
        assert_eq!(stats, MwiStats { sent: 2, sum_delay: 20, max_delay: t(15) });
    }
}
