//! The event queue, keyed by (time, priority, insertion sequence).
//!
//! Two shapes behind one interface, chosen by size:
//!
//! ```text
//!   ≤ SORTED_MAX pending   a Vec sorted latest first:  [ t=90 | t=40 | t=12 | t=3 ]  ◀─ pop (the last)
//!                          push walks in from the end, so an event due soon costs a step or two
//!   > SORTED_MAX pending   a binary heap (std's), O(log n) whatever the size
//! ```
//! A model with a few events pending (a loss system: the next arrival and the
//! calls in progress) spends far less on a short sorted array than on a
//! heap's sift down and up; a model with thousands pending keeps the heap's
//! bound. The queue turns into a heap when it outgrows the sorted array and
//! back once it has shrunk to half of it, so a size that hovers at the limit
//! does not flip at every event. Both shapes order by the same unique key, so
//! the order events come out in does not depend on the shape.
//!
//! Beside them, one slot for a *chain*: events of which each schedules the
//! next, so that at most one is pending (a Poisson source's arrivals). Its
//! event never enters the array or the heap; the queue hands out whichever of
//! the slot and the array's (or heap's) next entry has the lesser key. The
//! chain's events take their sequence numbers from the same counter as the
//! others, so they come out exactly where they would have come out of the
//! array.
//!
//! Entries are plain values in one `Vec`, so scheduling an event allocates
//! nothing once the queue has grown to the model's working size.

use super::Time;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Order of events that share an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    Normal = 0,
    Late = 1,
}

const SEQ_BITS: u32 = 63;

/// The most events the sorted shape holds. Measured with callgrind on a loss
/// system of growing size: the sorted array costs fewer instructions per event
/// than the heap up to about 60 pending events.
const SORTED_MAX: usize = 48;

#[derive(Clone, Copy)]
struct Entry<E> {
    time: Time,
    /// Priority in the top bit, insertion sequence below: one comparison orders both.
    rank: u64,
    event: E,
}

impl<E> Entry<E> {
    /// The whole order in one integer; unique, as sequences are.
    #[inline(always)]
    fn key(&self) -> u128 {
        ((self.time.as_us() as u128) << 64) | self.rank as u128
    }
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest entry,
    /// and an ascending sort puts the earliest last.
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}

enum Shape<E> {
    /// Latest first: the next event is the last element.
    Sorted(Vec<Entry<E>>),
    Heap(BinaryHeap<Entry<E>>),
}

pub struct EventQueue<E> {
    shape: Shape<E>,
    /// The chain's pending event, if any.
    chain: Option<Entry<E>>,
    next_seq: u64,
}

impl<E: Copy> EventQueue<E> {
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue { shape: Shape::Sorted(Vec::with_capacity(capacity)), chain: None, next_seq: 0 }
    }

    /// The next rank at `priority`: one comparison orders priority, then sequence.
    #[inline(always)]
    fn rank(&mut self, priority: Priority) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        assert!(seq < 1 << SEQ_BITS, "event sequence exhausted");
        ((priority as u64) << SEQ_BITS) | seq
    }

    /// Schedules the chain's next event; none of its events may be pending.
    #[inline(always)]
    pub fn push_chain(&mut self, time: Time, priority: Priority, event: E) {
        assert!(self.chain.is_none(), "a chain has at most one event pending");
        let rank = self.rank(priority);
        self.chain = Some(Entry { time, rank, event });
    }

    #[inline(always)]
    pub fn push(&mut self, time: Time, priority: Priority, event: E) {
        let entry = Entry { time, rank: self.rank(priority), event };
        // Inlined where events are scheduled, so the common case costs no call.
        match &mut self.shape {
            Shape::Sorted(sorted) if sorted.len() < SORTED_MAX => insert_sorted(sorted, entry),
            Shape::Heap(heap) => heap.push(entry),
            Shape::Sorted(_) => self.outgrow(entry),
        }
    }

    /// The sorted array is full: it turns into a heap, which takes `entry`.
    #[cold]
    #[inline(never)]
    fn outgrow(&mut self, entry: Entry<E>) {
        self.reshape();
        if let Shape::Heap(heap) = &mut self.shape {
            heap.push(entry);
        }
    }

    /// The next entry of the array or heap.
    #[inline(always)]
    fn peek_kept(&self) -> Option<&Entry<E>> {
        match &self.shape {
            Shape::Sorted(sorted) => sorted.last(),
            Shape::Heap(heap) => heap.peek(),
        }
    }

    /// The next event, if it is due before `end`.
    #[inline]
    pub fn pop_before(&mut self, end: Time) -> Option<(Time, E)> {
        if let Some(s) = self.chain
            && self.peek_kept().is_none_or(|next| s.key() < next.key())
        {
            if s.time >= end {
                return None;
            }
            self.chain = None;
            return Some((s.time, s.event));
        }
        let entry = match &mut self.shape {
            Shape::Sorted(sorted) => match sorted.last() {
                Some(next) if next.time < end => sorted.pop(),
                _ => None,
            },
            Shape::Heap(heap) => {
                if heap.peek().is_none_or(|next| next.time >= end) {
                    return None;
                }
                let entry = heap.pop();
                if heap.len() <= SORTED_MAX / 2 {
                    self.reshape();
                }
                entry
            }
        };
        entry.map(|e| (e.time, e.event))
    }

    /// Turns a full sorted array into a heap, or a small heap into a sorted array.
    #[cold]
    #[inline(never)]
    fn reshape(&mut self) {
        let shape = std::mem::replace(&mut self.shape, Shape::Sorted(Vec::new()));
        self.shape = match shape {
            // Ascending by `Ord` is latest first: both shapes read the same order.
            Shape::Heap(heap) => Shape::Sorted(heap.into_sorted_vec()),
            Shape::Sorted(sorted) => Shape::Heap(BinaryHeap::from(sorted)),
        };
    }

    pub fn len(&self) -> usize {
        let kept = match &self.shape {
            Shape::Sorted(sorted) => sorted.len(),
            Shape::Heap(heap) => heap.len(),
        };
        kept + self.chain.is_some() as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Inserts `entry` into `sorted` (latest first), walking in from the end:
/// what is due soon is placed in a step or two.
#[inline(always)]
fn insert_sorted<E: Copy>(sorted: &mut Vec<Entry<E>>, entry: Entry<E>) {
    let key = entry.key();
    sorted.push(entry);
    // The hole left by each entry moved up walks towards the front (slot by
    // slot through the iterator: no index, no bounds check).
    let mut slots = sorted.iter_mut().rev();
    let mut hole = slots.next().expect("just pushed");
    for before in slots {
        if before.key() > key {
            break;
        }
        *hole = *before;
        hole = before;
    }
    *hole = entry;
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic stream of times with many ties (xorshift, small range).
    fn times(n: usize, range: u64) -> Vec<u64> {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state % range
            })
            .collect()
    }

    /// Pushes (some to the chain) and pops in an interleaving that grows the
    /// queue past the sorted shape's limit, shrinks it back and grows it
    /// again, and checks every pop against the definition: the least (time,
    /// priority, sequence) pending.
    #[test]
    fn both_shapes_and_the_chain_pop_by_time_priority_then_sequence() {
        let mut queue = EventQueue::new();
        let mut pending: Vec<(u64, Priority, u64)> = vec![];
        let mut seq = 0u64;
        let mut now = 0u64;
        let pattern = [(3 * SORTED_MAX, 0), (0, 5 * SORTED_MAX / 2), (2 * SORTED_MAX, SORTED_MAX), (0, 4 * SORTED_MAX)];
        let deltas = times(10 * SORTED_MAX, 7);
        let mut d = deltas.iter().cycle();
        for (pushes, pops) in pattern {
            for i in 0..pushes {
                let priority = if i % 5 == 0 { Priority::Late } else { Priority::Normal };
                let at = now + d.next().unwrap();
                // Every seventh event goes to the chain when its slot is free.
                if i % 7 == 0 && queue.chain.is_none() {
                    queue.push_chain(Time::from_us(at), priority, seq);
                } else {
                    queue.push(Time::from_us(at), priority, seq);
                }
                pending.push((at, priority, seq));
                seq += 1;
            }
            for _ in 0..pops {
                let Some((at, event)) = queue.pop_before(Time::MAX) else { break };
                let least = *pending.iter().min().unwrap();
                assert_eq!((at.as_us(), event), (least.0, least.2), "after {seq} pushes");
                pending.retain(|p| *p != least);
                now = at.as_us();
            }
            assert_eq!(queue.len(), pending.len());
            assert_eq!(queue.is_empty(), pending.is_empty());
        }
        assert!(queue.is_empty() && pending.is_empty());
    }

    fn shape<E>(queue: &EventQueue<E>) -> (&'static str, usize) {
        match &queue.shape {
            Shape::Sorted(sorted) => ("sorted", sorted.len()),
            Shape::Heap(heap) => ("heap", heap.len()),
        }
    }

    /// The module's rule: the sorted array holds up to SORTED_MAX events, the
    /// next push turns it into a heap, and the heap turns back once popping
    /// has brought it down to half of that (not at every event around the limit).
    #[test]
    fn the_queue_is_a_heap_from_past_sorted_max_until_it_halves() {
        let mut queue = EventQueue::new();
        for (i, at) in times(SORTED_MAX, 1_000).into_iter().enumerate() {
            queue.push(Time::from_us(at), Priority::Normal, i);
            assert_eq!(shape(&queue), ("sorted", i + 1));
        }
        queue.push(Time::from_us(7), Priority::Normal, SORTED_MAX);
        assert_eq!(shape(&queue), ("heap", SORTED_MAX + 1));
        // Back under the limit, still a heap until half of it.
        while queue.len() > SORTED_MAX / 2 + 1 {
            queue.pop_before(Time::MAX).unwrap();
            assert_eq!(shape(&queue).0, "heap", "at {}", queue.len());
        }
        queue.pop_before(Time::MAX).unwrap();
        assert_eq!(shape(&queue), ("sorted", SORTED_MAX / 2));
    }

    /// `Ord`'s contract: two entries are equal exactly when they compare
    /// equal, that is when time, priority and sequence are all the same.
    #[test]
    fn entries_are_equal_exactly_when_their_keys_are() {
        let entry = |us, rank| Entry { time: Time::from_us(us), rank, event: () };
        let a = entry(5, 3);
        for (b, equal) in [(entry(5, 3), true), (entry(5, 4), false), (entry(6, 3), false)] {
            assert_eq!(a == b, equal);
            assert_eq!(a.cmp(&b) == Ordering::Equal, equal);
        }
    }
}
