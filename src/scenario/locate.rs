//! Where each key of a YAML document sits, so that a validation error found after
//! deserialising can still name the line and column of the key it is about.
//!
//! serde_yaml reports positions for its own errors but keeps none after a
//! successful parse; this streams yaml-rust2's marked events once and records
//! the position of the mapping keys and sequence items asked for, by key path
//! (`traffic.hold_time.mean`, `failures[2].at`), and of their ancestors. It
//! keeps one frame per open collection and only the positions asked for, so a
//! large scenario costs no memory beyond its text.

use std::collections::{BTreeMap, BTreeSet};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

/// Line and column, both counted from 1.
pub type Position = (usize, usize);

enum Frame {
    Map { path: String, key: Option<String>, seen: BTreeSet<String> },
    Seq { path: String, next_index: usize },
}

struct Walker {
    stack: Vec<Frame>,
    /// The paths whose positions are kept; `None` keeps every path.
    wanted: Option<BTreeSet<String>>,
    positions: BTreeMap<String, Position>,
    /// The first key that appears a second time in its mapping.
    duplicate: Option<(String, Position)>,
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() { key.to_string() } else { format!("{parent}.{key}") }
}

impl Walker {
    fn new(wanted: Option<BTreeSet<String>>) -> Walker {
        Walker { stack: vec![], wanted, positions: BTreeMap::new(), duplicate: None }
    }

    fn record(&mut self, path: &str, position: Position) {
        if self.wanted.as_ref().is_none_or(|w| w.contains(path)) {
            self.positions.entry(path.to_string()).or_insert(position);
        }
    }

    /// The path of a node starting now, or `None` when the node is a mapping key.
    fn node_path(&mut self, scalar_key: Option<&str>, mark: Marker) -> Option<String> {
        let position = (mark.line(), mark.col() + 1);
        let (path, recorded) = match self.stack.last_mut() {
            None => return Some(String::new()),
            Some(Frame::Seq { path, next_index }) => {
                let item = format!("{path}[{next_index}]");
                *next_index += 1;
                (item, None)
            }
            Some(Frame::Map { path, key, seen }) => match key.take() {
                Some(k) => return Some(join(path, &k)),
                None => {
                    let k = scalar_key.unwrap_or("?").to_string();
                    let full = join(path, &k);
                    if !seen.insert(k.clone()) && self.duplicate.is_none() {
                        self.duplicate = Some((full.clone(), position));
                    }
                    *key = Some(k);
                    (full, Some(path.clone()))
                }
            },
        };
        self.record(&path, position);
        if let Some(parent) = recorded {
            // A block mapping's start mark lies after its first key: let the
            // mapping itself point at that key instead.
            if let Some(own) = self.positions.get_mut(parent.as_str()) {
                *own = (*own).min(position);
            }
            return None;
        }
        Some(path)
    }

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
                self.stack.push(Frame::Map { path, key: None, seen: BTreeSet::new() });
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

/// Streams `text` through `walker`, stopping at the end or at a syntax error.
fn walk(text: &str, mut walker: Walker) -> Walker {
    let mut parser = Parser::new_from_str(text);
    while let Ok((event, mark)) = parser.next_token() {
        if event == Event::StreamEnd {
            break;
        }
        walker.on_event(event, mark);
    }
    walker
}

/// A path and each of its ancestors: `a.b[2].c`, `a.b[2]`, `a.b`, `a`.
fn with_ancestors(path: &str) -> Vec<String> {
    let mut out = vec![path.to_string()];
    let mut current = path;
    while let Some(cut) = current.rfind(['.', '[']) {
        current = &current[..cut];
        if current.is_empty() {
            break;
        }
        out.push(current.to_string());
    }
    out
}

/// Positions of `paths` and of their ancestors in `text`, by key path.
pub fn positions_of<'a>(text: &str, paths: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, Position> {
    let wanted: BTreeSet<String> = paths.into_iter().flat_map(with_ancestors).collect();
    walk(text, Walker::new(Some(wanted))).positions
}

/// The first key that appears twice in one mapping, and where it appears again.
pub fn first_duplicate(text: &str) -> Option<(String, Position)> {
    walk(text, Walker::new(Some(BTreeSet::new()))).duplicate
}

/// The position of `path`, or of its nearest ancestor that appears in the text.
pub fn locate(positions: &BTreeMap<String, Position>, path: &str) -> Option<Position> {
    with_ancestors(path).iter().find_map(|p| positions.get(p).copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_positions(text: &str) -> BTreeMap<String, Position> {
        walk(text, Walker::new(None)).positions
    }

    #[test]
    fn finds_nested_keys_and_sequence_items() {
        let text = "name: x\ntraffic:\n  hold_time: {mean: 3s, sd: 1s}\nfailures:\n  - {at: 1h, crash: publisher}\n  - at: 2h\n    heal: all\n";
        let p = all_positions(text);
        assert_eq!(p.get("name"), Some(&(1, 1)));
        assert_eq!(p.get("traffic.hold_time"), Some(&(3, 3)));
        assert_eq!(p.get("traffic.hold_time.sd"), Some(&(3, 25)));
        assert_eq!(p.get("failures[0].crash"), Some(&(5, 14)));
        assert_eq!(p.get("failures[1].heal"), Some(&(7, 5)));
        assert_eq!(locate(&p, "failures[1].for"), Some((6, 5)));
        assert_eq!(locate(&p, "traffic.hold_time.sd"), Some((3, 25)));
        assert_eq!(locate(&p, "cluster.keepalive"), None);
    }

    #[test]
    fn keeps_only_what_is_asked_for_and_finds_it_the_same() {
        let text = "traffic:\n  hold_time: {mean: 3s, sd: 1s}\nfailures:\n  - at: 2h\n    heal: all\n";
        let all = all_positions(text);
        let some = positions_of(text, ["failures[0].for", "traffic.hold_time.sd"]);
        assert_eq!(
            some.keys().collect::<Vec<_>>(),
            ["failures", "failures[0]", "traffic", "traffic.hold_time", "traffic.hold_time.sd"]
        );
        for path in ["failures[0].for", "traffic.hold_time.sd"] {
            assert_eq!(locate(&some, path), locate(&all, path), "{path}");
        }
    }

    #[test]
    fn finds_the_second_appearance_of_a_key() {
        assert_eq!(first_duplicate("a: 1\nb: {c: 1, c: 2}\n"), Some(("b.c".into(), (2, 11))));
        assert_eq!(first_duplicate("a: 1\nb: 2\n"), None);
    }
}
