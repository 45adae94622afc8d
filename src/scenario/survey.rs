//! One streaming pass over a scenario's YAML events before it is deserialised:
//! exact depth, node count and alias expansion, the root's shape and `kind`.
//!
//! serde_yaml loads every event of a document, expands every alias while it
//! deserialises, and builds whatever the aliases ask for. An alias bomb (nine
//! anchors of nine aliases each: 9⁹ nodes from a 400-byte file) or a scalar
//! anchored once and aliased a hundred thousand times would take it minutes or
//! gigabytes. This pass counts the nodes the document expands to, aliases
//! included, as it streams (memory: one entry per open collection and one per
//! anchor) and stops at the first limit passed. yaml-rust2's scanner keeps at
//! most 255 flow levels, so the pass itself is linear in the text.

use super::nesting::Position;
use yaml_rust2::parser::{Event, Parser};

/// What the pass learnt about a document that is within the limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Survey {
    /// The root is a mapping; `kind` is the scalar under its `kind` key, if
    /// any (`Some(None)` when `kind` holds something other than a scalar).
    Mapping { kind: Option<Option<String>> },
    /// The root is not a mapping.
    NotMapping,
    /// yaml-rust2 could not read the text (serde_yaml will say why).
    Unreadable,
}

/// A limit the document passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Excess {
    Depth(Position),
    Nodes(Position),
    /// Aliases make the document expand past the node limit.
    Aliases(Position),
}

/// A collection open at the cursor.
struct Open {
    anchor: usize,
    /// Expanded nodes counted before it started.
    nodes_before: u64,
}

/// Streams `text`'s events, checking depth, nodes and expanded nodes.
pub fn survey(text: &str, max_depth: usize, max_nodes: u64) -> Result<Survey, Excess> {
    let mut parser = Parser::new_from_str(text);
    let mut open: Vec<Open> = vec![];
    // Expanded size of each anchored node, by anchor id.
    let mut anchored: Vec<u64> = vec![];
    let (mut nodes, mut expanded) = (0u64, 0u64);
    let mut root: Option<bool> = None;
    // In the root mapping: how many of its nodes are complete, and whether the
    // last key was `kind`.
    let mut root_items = 0usize;
    let mut kind_next = false;
    let mut kind: Option<Option<String>> = None;
    loop {
        let Ok((event, mark)) = parser.next_token() else {
            return Ok(Survey::Unreadable);
        };
        let position = (mark.line(), mark.col() + 1);
        let depth = open.len();
        // The size of a node that completes with this event, and its anchor.
        let mut completed: Option<(u64, usize)> = None;
        let mut scalar: Option<String> = None;
        match event {
            Event::StreamEnd => break,
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                if depth == 0 {
                    root.get_or_insert(matches!(event, Event::MappingStart(..)));
                }
                if depth + 1 > max_depth {
                    return Err(Excess::Depth(position));
                }
                nodes += 1;
                expanded += 1;
                open.push(Open { anchor, nodes_before: expanded - 1 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some(o) = open.pop() {
                    completed = Some((expanded - o.nodes_before, o.anchor));
                }
            }
            Event::Scalar(value, _, anchor, _) => {
                root.get_or_insert(false);
                nodes += 1;
                expanded += 1;
                completed = Some((1, anchor));
                scalar = Some(value);
            }
            Event::Alias(id) => {
                let size = anchored.get(id).copied().unwrap_or(1).max(1);
                nodes += 1;
                expanded = expanded.saturating_add(size);
                completed = Some((size, 0));
            }
            _ => {}
        }
        if nodes > max_nodes {
            return Err(Excess::Nodes(position));
        }
        if expanded > max_nodes {
            return Err(Excess::Aliases(position));
        }
        let Some((size, anchor)) = completed else { continue };
        if anchor > 0 {
            if anchored.len() <= anchor {
                anchored.resize(anchor + 1, 0);
            }
            anchored[anchor] = size;
        }
        // A node of the root mapping is complete: a key or a value.
        if open.len() == 1 && root == Some(true) {
            if root_items.is_multiple_of(2) {
                kind_next = scalar.as_deref() == Some("kind");
            } else if kind_next {
                kind = Some(scalar.clone());
                kind_next = false;
            }
            root_items += 1;
        }
    }
    Ok(match root {
        Some(true) => Survey::Mapping { kind },
        _ => Survey::NotMapping,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Survey {
        survey(text, 32, 1000).expect("within limits")
    }

    #[test]
    fn finds_the_root_and_kind() {
        assert_eq!(ok("duration: 1h\n"), Survey::Mapping { kind: None });
        assert_eq!(
            ok("name: x\nkind: persistent_chat\n"),
            Survey::Mapping { kind: Some(Some("persistent_chat".into())) }
        );
        assert_eq!(ok("a: {kind: x}\nkind: [1]\n"), Survey::Mapping { kind: Some(None) });
        assert_eq!(ok("- a\n"), Survey::NotMapping);
        assert_eq!(ok("just text\n"), Survey::NotMapping);
        assert_eq!(ok("a: [\n"), Survey::Unreadable);
    }

    #[test]
    fn counts_depth_nodes_and_what_aliases_expand_to() {
        assert_eq!(survey("a: [[[1]]]\n", 4, 100), Ok(Survey::Mapping { kind: None }));
        // The root mapping, then three sequences: the fourth level is at column 7.
        assert_eq!(survey("a: [[[[1]]]]\n", 4, 100), Err(Excess::Depth((1, 7))));
        // The root mapping, a, [, 1, 2: five nodes.
        assert!(survey("a: [1, 2]\n", 32, 5).is_ok());
        assert_eq!(survey("a: [1, 2, 3]\n", 32, 5), Err(Excess::Nodes((1, 11))));
        // The root, x, &a [1, 2] (3 nodes), y, *a (3 more): 9 nodes expanded.
        let aliased = "x: &a [1, 2]\ny: *a\n";
        assert!(survey(aliased, 32, 9).is_ok());
        assert_eq!(survey(aliased, 32, 8), Err(Excess::Aliases((2, 4))));
        let bomb: String = std::iter::once("a0: &a0 [x, x, x, x, x, x, x, x, x]\n".to_string())
            .chain((1..10).map(|i| format!("a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); 9].join(", "))))
            .collect();
        assert!(matches!(survey(&bomb, 32, 100_000), Err(Excess::Aliases(_))));
    }
}
