//! Where each key of a YAML document sits, so that a validation error found after
//! deserialising can still name the line and column of the key it is about.
//!
//! serde_yaml reports positions for its own errors but keeps none after a
//! successful parse; this walks yaml-rust2's marked events once and records the
//! position of every mapping key and sequence item by its key path
//! (`traffic.hold_time.mean`, `failures[2].at`).

use std::collections::BTreeMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Line and column, both counted from 1.
pub type Position = (usize, usize);

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, next_index: usize },
}

#[derive(Default)]
struct Walker {
    stack: Vec<Frame>,
    positions: BTreeMap<String, Position>,
    /// Keys that appear a second time in their mapping, in document order.
    duplicates: Vec<(String, Position)>,
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() { key.to_string() } else { format!("{parent}.{key}") }
}

impl Walker {
    /// The path of a node starting now, or `None` when the node is a mapping key.
    fn node_path(&mut self, scalar_key: Option<&str>, mark: Marker) -> Option<String> {
        let position = (mark.line(), mark.col() + 1);
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, next_index }) => {
                let item = format!("{path}[{next_index}]");
                *next_index += 1;
                self.positions.entry(item.clone()).or_insert(position);
                Some(item)
            }
            Some(Frame::Map { path, key }) => match key.take() {
                Some(k) => Some(join(path, &k)),
                None => {
                    let k = scalar_key.unwrap_or("?").to_string();
                    let full = join(path, &k);
                    if self.positions.contains_key(&full) {
                        self.duplicates.push((full.clone(), position));
                    }
                    self.positions.entry(full).or_insert(position);
                    // A block mapping's start mark lies after its first key: let
                    // the mapping itself point at that key instead.
                    if let Some(own) = self.positions.get_mut(path.as_str()) {
                        *own = (*own).min(position);
                    }
                    *key = Some(k);
                    None
                }
            },
        }
    }
}

impl MarkedEventReceiver for Walker {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, ..) => {
                self.node_path(Some(&value), mark);
            }
            Event::Alias(_) => {
                self.node_path(Some("*alias"), mark);
            }
            Event::MappingStart(..) => {
                let path = self.node_path(None, mark).unwrap_or_else(|| "?".into());
                self.stack.push(Frame::Map { path, key: None });
            }
            Event::SequenceStart(..) => {
                let path = self.node_path(None, mark).unwrap_or_else(|| "?".into());
                self.stack.push(Frame::Seq { path, next_index: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

/// Positions of the keys of `text`, by key path. Empty when the text does not parse.
pub fn key_positions(text: &str) -> BTreeMap<String, Position> {
    walk(text).positions
}

/// The first key that appears twice in one mapping, and where it appears again.
pub fn first_duplicate(text: &str) -> Option<(String, Position)> {
    walk(text).duplicates.into_iter().next()
}

fn walk(text: &str) -> Walker {
    let mut walker = Walker::default();
    let mut parser = Parser::new_from_str(text);
    if parser.load(&mut walker, false).is_err() {
        return Walker::default();
    }
    walker
}

/// The position of `path`, or of its nearest ancestor that appears in the text.
pub fn locate(positions: &BTreeMap<String, Position>, path: &str) -> Option<Position> {
    let mut current = path.to_string();
    loop {
        if let Some(p) = positions.get(&current) {
            return Some(*p);
        }
        let cut = current.rfind(['.', '['])?;
        current.truncate(cut);
        if current.is_empty() {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_keys_and_sequence_items() {
        let text = "name: x\ntraffic:\n  hold_time: {mean: 3s, sd: 1s}\nfailures:\n  - {at: 1h, crash: publisher}\n  - at: 2h\n    heal: all\n";
        let p = key_positions(text);
        assert_eq!(p.get("name"), Some(&(1, 1)));
        assert_eq!(p.get("traffic.hold_time"), Some(&(3, 3)));
        assert_eq!(p.get("traffic.hold_time.sd"), Some(&(3, 25)));
        assert_eq!(p.get("failures[0].crash"), Some(&(5, 14)));
        assert_eq!(p.get("failures[1].heal"), Some(&(7, 5)));
        assert_eq!(locate(&p, "failures[1].for"), Some((6, 5)));
        assert_eq!(locate(&p, "traffic.hold_time.sd"), Some((3, 25)));
        assert_eq!(locate(&p, "cluster.keepalive"), None);
    }
}
