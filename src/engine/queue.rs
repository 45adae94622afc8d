//! The event queue: a binary min-heap keyed by (time, priority, insertion
//! sequence). Entries are plain values in one `Vec`, so scheduling an event
//! allocates nothing once the heap has grown to the model's working size.

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

struct Entry<E> {
    time: Time,
    /// Priority in the top bit, insertion sequence below: one comparison orders both.
    rank: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.rank == other.rank
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest entry.
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        let key = |e: &Self| ((e.time.as_us() as u128) << 64) | e.rank as u128;
        key(other).cmp(&key(self))
    }
}

pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue { heap: BinaryHeap::with_capacity(capacity), next_seq: 0 }
    }

    #[inline]
    pub fn push(&mut self, time: Time, priority: Priority, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        assert!(seq < 1 << SEQ_BITS, "event sequence exhausted");
        let rank = ((priority as u64) << SEQ_BITS) | seq;
        self.heap.push(Entry { time, rank, event });
    }

    #[inline]
    pub fn peek_time(&self) -> Option<Time> {
        self.heap.peek().map(|e| e.time)
    }

    #[inline]
    pub fn pop(&mut self) -> Option<(Time, E)> {
        self.heap.pop().map(|e| (e.time, e.event))
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}
