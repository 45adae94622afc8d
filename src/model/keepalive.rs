//! Keepalive arithmetic for the role managers (R3).
//!
//! Each server ticks at `phase + k × interval` (k = 0, 1, ...). At each tick it
//! sends a keepalive to its peer and checks whether it has heard from the peer
//! within the timeout. A keepalive is delivered iff the channel is open at the
//! tick: sender and receiver functioning and the sender→receiver link up.
//!
//! ```text
//!  peer ticks  ─┼────┼────┼──╳ silent          (L = last delivered)
//!  own ticks     ┼────┼────┼────┼────┼────┼─▶  first own tick T with T − L > timeout
//!  T − silence ∈ (timeout − interval, timeout + interval]
//! ```
//!
//! Because ticks are periodic, the last delivered keepalive and the tick at
//! which a timeout fires follow from the channel's open/close times alone; the
//! model uses that to jump straight to the ticks where something happens
//! instead of simulating every keepalive (the message-by-message mode is kept
//! as a test oracle).

use crate::engine::Time;

/// One microsecond: the instant after another.
const ONE: Time = Time::from_us(1);

/// A server's tick schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticks {
    pub phase: Time,
    pub interval: Time,
}

impl Ticks {
    /// The first tick at or after `t`.
    pub fn at_or_after(self, t: Time) -> Time {
        if t <= self.phase {
            self.phase
        } else {
            let k = (t - self.phase).div_ceil(self.interval);
            self.phase.saturating_add(self.interval.saturating_mul(k))
        }
    }

    /// The first tick strictly after `t`.
    pub fn after(self, t: Time) -> Time {
        self.at_or_after(t.saturating_add(ONE))
    }

    /// The last tick in `[from, to)`, if any.
    pub fn last_in(self, from: Time, to: Time) -> Option<Time> {
        if to <= self.phase || to <= from {
            return None;
        }
        let k = (to - ONE - self.phase) / self.interval;
        let tick = self.phase + self.interval * k;
        (tick >= from).then_some(tick)
    }
}

/// The keepalive channel from one server to its peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Channel {
    /// When the channel last opened, if it is open now.
    pub open_since: Option<Time>,
    /// When the channel last closed (for the detection delay).
    pub closed_at: Option<Time>,
    /// The last keepalive delivered before the channel last closed, if the
    /// receiver still remembers it.
    pub delivered_before: Option<Time>,
}

impl Channel {
    pub fn is_open(&self) -> bool {
        self.open_since.is_some()
    }

    /// The last keepalive the receiver has heard as of `now`; `through_now`
    /// says whether a sender tick at exactly `now` has already been delivered.
    pub fn last_delivered(&self, sender: Ticks, now: Time, through_now: bool) -> Option<Time> {
        let end = if through_now { now.saturating_add(ONE) } else { now };
        match self.open_since {
            Some(open) => sender.last_in(open, end).or(self.delivered_before),
            None => self.delivered_before,
        }
    }

    /// The next keepalive delivery at or after `now` (after, if `through_now`).
    pub fn next_delivery(&self, sender: Ticks, now: Time, through_now: bool) -> Option<Time> {
        let open = self.open_since?;
        let from = if through_now { now.saturating_add(ONE) } else { now };
        Some(sender.at_or_after(from.max(open)))
    }

    /// The receiver heard the sender at `now` by other means than a keepalive
    /// (a starting server contacting the primary): it counts as a delivery.
    pub fn heard_at(&mut self, now: Time) {
        self.delivered_before = Some(now);
        if self.open_since.is_some() {
            self.open_since = Some(now);
        }
    }

    /// Opens the channel at `now` (no-op if open).
    pub fn open(&mut self, now: Time) {
        if self.open_since.is_none() {
            self.open_since = Some(now);
        }
    }

    /// Closes the channel at `now`, remembering the last delivery before it.
    pub fn close(&mut self, sender: Ticks, now: Time, through_now: bool) {
        if self.open_since.is_some() {
            self.delivered_before = self.last_delivered(sender, now, through_now);
            self.open_since = None;
            self.closed_at = Some(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(us: u64) -> Time {
        Time::from_us(us)
    }

    const T: Ticks = Ticks { phase: Time::from_us(3), interval: Time::from_us(10) };

    #[test]
    fn tick_arithmetic() {
        assert_eq!(T.at_or_after(t(0)), t(3));
        assert_eq!(T.at_or_after(t(3)), t(3));
        assert_eq!(T.at_or_after(t(4)), t(13));
        assert_eq!(T.after(t(3)), t(13));
        assert_eq!(T.after(t(12)), t(13));
        assert_eq!(T.last_in(t(0), t(3)), None);
        assert_eq!(T.last_in(t(0), t(4)), Some(t(3)));
        assert_eq!(T.last_in(t(0), t(13)), Some(t(3)));
        assert_eq!(T.last_in(t(4), t(13)), None);
        assert_eq!(T.last_in(t(4), t(14)), Some(t(13)));
    }

    #[test]
    fn r3_a_channel_remembers_its_last_delivery() {
        let mut c = Channel::default();
        c.open(t(0));
        assert_eq!(c.last_delivered(T, t(25), false), Some(t(23)));
        assert_eq!(c.last_delivered(T, t(23), false), Some(t(13)));
        assert_eq!(c.last_delivered(T, t(23), true), Some(t(23)));
        c.close(T, t(30), false);
        assert_eq!(c.delivered_before, Some(t(23)));
        assert_eq!(c.last_delivered(T, t(100), false), Some(t(23)));
        assert_eq!(c.next_delivery(T, t(100), false), None);
        c.open(t(41));
        assert_eq!(c.next_delivery(T, t(41), false), Some(t(43)));
        assert_eq!(c.last_delivered(T, t(42), false), Some(t(23)));
        assert_eq!(c.last_delivered(T, t(44), false), Some(t(43)));
    }
}
