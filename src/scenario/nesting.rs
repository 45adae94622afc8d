//! How deep a YAML text nests, found in one linear pass before any parser sees it.
//!
//! The YAML parser behind serde_yaml (libyaml) slows down quadratically with the
//! depth of flow collections (`[[[[…]]]]`: 100,000 levels in a 200 KB file keep
//! it busy for minutes) and the deserialiser stops only at 128 levels, after
//! the whole text was parsed. A scenario never needs more than about six
//! levels, so deeper texts are refused up front.
//!
//! The scan follows libyaml's scanner where it decides what is structure and
//! what is text: quoted scalars, plain scalars (which may hold `[` and quotes,
//! and continue on more indented lines), block scalars (`|`, `>`), comments,
//! flow collections and block indentation (its `roll_indent`/`unroll_indent`,
//! simple keys and indentless sequences). It keeps no more than one entry per
//! open block level and stops at the first level past the limit, so its time
//! is linear in the text and its memory is bounded by the limit. The depth it
//! counts is libyaml's: open flow collections, block collections and
//! indentless sequences. Where libyaml would stop with a syntax error the scan
//! carries on, so a broken text can only be refused for depth it might have
//! had, never let through.

/// Line and column (from 1) where the text first passes a limit.
pub type Position = (usize, usize);

/// What the scan found that is past a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Excess {
    /// Collections nested deeper than the nesting limit.
    Depth(Position),
    /// More nodes (scalars and collections) than the node limit.
    Nodes(Position),
}

/// A block collection opened by indentation.
struct Level {
    /// The indentation it replaced (libyaml's `indents` stack).
    outer_indent: isize,
    /// A mapping (else a sequence).
    mapping: bool,
    /// A sequence at the mapping's own indentation is open in it (`key:` then `- a`).
    indentless: bool,
}

/// An open flow collection. In a flow sequence, `a: b` is a mapping of one
/// pair, a level of its own; a collection that starts an entry may turn out
/// to be that pair's key, so it counts the pair from its start.
struct Flow {
    sequence: bool,
    /// A `:` or `?` opened a one-pair mapping in the current entry.
    pair: bool,
    /// This collection may be the key of a one-pair mapping in its parent.
    pending_pair: bool,
}

/// A possible simple key of the block context (libyaml keeps one per flow
/// level; only the block level's moves the indentation).
#[derive(Clone, Copy)]
struct SimpleKey {
    column: usize,
    line: usize,
    index: usize,
}

struct Scan<'a> {
    text: &'a [u8],
    /// Byte offset of the next character.
    at: usize,
    /// Character offset, line and column (from 0) of the next character.
    index: usize,
    line: usize,
    column: usize,
    flow: usize,
    flows: Vec<Flow>,
    /// Open pairs and pending pairs of `flows`.
    pairs: usize,
    indent: isize,
    levels: Vec<Level>,
    indentless: usize,
    key_allowed: bool,
    key: Option<SimpleKey>,
    nodes: usize,
    max_depth: usize,
    max_nodes: usize,
}

/// Checks that `text` nests at most `max_depth` levels and holds at most
/// `max_nodes` nodes, in libyaml's reading of it.
pub fn check(text: &str, max_depth: usize, max_nodes: usize) -> Result<(), Excess> {
    let mut scan = Scan {
        text: text.as_bytes(),
        at: 0,
        index: 0,
        line: 0,
        column: 0,
        flow: 0,
        flows: vec![],
        pairs: 0,
        indent: -1,
        levels: vec![],
        indentless: 0,
        key_allowed: true,
        key: None,
        nodes: 0,
        max_depth,
        max_nodes,
    };
    scan.run()
}

fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

fn is_flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

/// libyaml's anchor characters (its `IS_ALPHA`).
fn is_anchor_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// libyaml's tag URI characters, with `,[]` only in verbatim tags.
fn is_uri_char(c: u8, verbatim: bool) -> bool {
    is_anchor_char(c)
        || matches!(c, b';' | b'/' | b'?' | b':' | b'@' | b'&' | b'=' | b'+' | b'$' | b'.' | b'%')
        || matches!(c, b'!' | b'~' | b'*' | b'\'' | b'(' | b')')
        || (verbatim && matches!(c, b',' | b'[' | b']'))
}

impl Scan<'_> {
    fn byte(&self, ahead: usize) -> u8 {
        self.text.get(self.at + ahead).copied().unwrap_or(0)
    }

    fn at_end(&self) -> bool {
        self.at >= self.text.len()
    }

    /// Length in bytes of the line break at the cursor (libyaml also breaks
    /// lines at NEL, LS and PS), or 0.
    fn break_len(&self) -> usize {
        match (self.byte(0), self.byte(1), self.byte(2)) {
            (b'\r', b'\n', _) => 2,
            (b'\r' | b'\n', ..) => 1,
            (0xC2, 0x85, _) => 2,
            (0xE2, 0x80, 0xA8 | 0xA9) => 3,
            _ => 0,
        }
    }

    fn is_break(&self) -> bool {
        self.break_len() > 0
    }

    /// A blank, a line break or the end of the text, `ahead` bytes on (ASCII).
    fn is_blankz_at(&self, ahead: usize) -> bool {
        let c = self.byte(ahead);
        c == 0 || is_blank(c) || c == b'\r' || c == b'\n' || (c == 0xC2 && self.byte(ahead + 1) == 0x85) || {
            c == 0xE2 && self.byte(ahead + 1) == 0x80 && matches!(self.byte(ahead + 2), 0xA8 | 0xA9)
        }
    }

    fn is_blankz(&self) -> bool {
        self.is_blankz_at(0)
    }

    /// Moves past one character that is not a line break.
    fn skip(&mut self) {
        let Some(&first) = self.text.get(self.at) else { return };
        let len = match first {
            0x00..=0x7F => 1,
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            _ => 4,
        };
        self.at = (self.at + len).min(self.text.len());
        self.index += 1;
        self.column += 1;
    }

    /// Moves past the line break at the cursor.
    fn skip_break(&mut self) {
        let len = self.break_len();
        self.at += len;
        self.index += if len == 2 && self.text[self.at - 2] == b'\r' { 2 } else { 1 };
        self.line += 1;
        self.column = 0;
    }

    fn position(&self) -> Position {
        (self.line + 1, self.column + 1)
    }

    /// The depth at the cursor. A flow collection may turn out to be the key
    /// of a block mapping that opens only at its `:`; count that mapping now.
    fn depth(&self) -> usize {
        let pending_mapping = self.flow > 0 && self.key.is_some_and(|k| k.column as isize > self.indent);
        self.flow + self.pairs + self.levels.len() + self.indentless + usize::from(pending_mapping)
    }

    fn check_depth_at(&self, position: Position) -> Result<(), Excess> {
        if self.depth() > self.max_depth { Err(Excess::Depth(position)) } else { Ok(()) }
    }

    fn check_depth(&self) -> Result<(), Excess> {
        self.check_depth_at(self.position())
    }

    fn count_node(&mut self) -> Result<(), Excess> {
        self.nodes += 1;
        if self.nodes > self.max_nodes { Err(Excess::Nodes(self.position())) } else { Ok(()) }
    }

    fn run(&mut self) -> Result<(), Excess> {
        loop {
            self.skip_to_next_token();
            self.stale_key();
            self.unroll(self.column as isize);
            if self.at_end() {
                return Ok(());
            }
            self.next_token()?;
        }
    }

    /// libyaml's `scan_to_next_token`: blanks, comments and line breaks.
    fn skip_to_next_token(&mut self) {
        loop {
            if self.column == 0 && self.text[self.at..].starts_with("\u{FEFF}".as_bytes()) {
                self.skip();
            }
            while self.byte(0) == b' ' || (self.byte(0) == b'\t' && (self.flow > 0 || !self.key_allowed)) {
                self.skip();
            }
            if self.byte(0) == b'#' {
                while !self.at_end() && !self.is_break() {
                    self.skip();
                }
            }
            if !self.is_break() {
                return;
            }
            self.skip_break();
            if self.flow == 0 {
                self.key_allowed = true;
            }
        }
    }

    /// A simple key must sit on one line, within 1024 characters of its `:`.
    fn stale_key(&mut self) {
        if let Some(key) = self.key
            && (key.line < self.line || key.index + 1024 < self.index)
        {
            self.key = None;
        }
    }

    fn save_key(&mut self) {
        if self.flow == 0 && self.key_allowed {
            self.key = Some(SimpleKey { column: self.column, line: self.line, index: self.index });
        }
    }

    fn remove_key(&mut self) {
        if self.flow == 0 {
            self.key = None;
        }
    }

    /// Opens a block collection at `column` if it is indented further
    /// (`line` is where it starts, for the error).
    fn roll(&mut self, column: usize, line: usize, mapping: bool) -> Result<(), Excess> {
        let start = (line + 1, column + 1);
        if self.flow > 0 {
            return Ok(());
        }
        let column = column as isize;
        if self.indent < column {
            self.levels.push(Level { outer_indent: self.indent, mapping, indentless: false });
            self.indent = column;
            self.count_node()?;
            return self.check_depth_at(start);
        }
        if self.indent == column
            && let Some(top) = self.levels.last_mut()
            && top.mapping
        {
            // At the mapping's own indentation: `- ` opens an indentless
            // sequence in it; a key closes one.
            if !mapping && !top.indentless {
                top.indentless = true;
                self.indentless += 1;
                self.count_node()?;
                return self.check_depth_at(start);
            }
            if mapping && top.indentless {
                top.indentless = false;
                self.indentless -= 1;
            }
        }
        Ok(())
    }

    /// Closes the block collections indented further than `column`.
    fn unroll(&mut self, column: isize) {
        if self.flow > 0 {
            return;
        }
        while self.indent > column {
            let Some(level) = self.levels.pop() else { break };
            self.indentless -= usize::from(level.indentless);
            self.indent = level.outer_indent;
        }
    }

    fn document_marker(&self) -> bool {
        self.column == 0
            && (self.text[self.at..].starts_with(b"---") || self.text[self.at..].starts_with(b"..."))
            && self.is_blankz_at(3)
    }

    /// libyaml's `fetch_next_token`, from the first character of a token.
    fn next_token(&mut self) -> Result<(), Excess> {
        let (c, next) = (self.byte(0), self.byte(1));
        if self.column == 0 && c == b'%' {
            // A directive: one line.
            self.unroll(-1);
            self.remove_key();
            self.key_allowed = false;
            while !self.at_end() && !self.is_break() {
                self.skip();
            }
            if self.is_break() {
                self.skip_break();
            }
            return Ok(());
        }
        if self.document_marker() {
            self.unroll(-1);
            self.remove_key();
            self.key_allowed = false;
            (0..3).for_each(|_| self.skip());
            return Ok(());
        }
        let next_blankz = self.is_blankz_at(1);
        match c {
            b'[' | b'{' => {
                self.save_key();
                let pending_pair = self.key_allowed && self.flows.last().is_some_and(|f| f.sequence && !f.pair);
                self.flows.push(Flow { sequence: c == b'[', pair: false, pending_pair });
                self.pairs += usize::from(pending_pair);
                self.flow += 1;
                self.key_allowed = true;
                self.count_node()?;
                self.check_depth()?;
                self.skip();
            }
            b']' | b'}' => {
                self.remove_key();
                if let Some(f) = self.flows.pop() {
                    self.pairs -= usize::from(f.pair) + usize::from(f.pending_pair);
                }
                self.flow = self.flow.saturating_sub(1);
                self.key_allowed = false;
                self.skip();
            }
            b',' => {
                if let Some(f) = self.flows.last_mut()
                    && f.pair
                {
                    f.pair = false;
                    self.pairs -= 1;
                }
                self.remove_key();
                self.key_allowed = true;
                self.skip();
            }
            b'-' if next_blankz => {
                if self.flow == 0 {
                    self.roll(self.column, self.line, false)?;
                }
                self.remove_key();
                self.key_allowed = true;
                self.skip();
            }
            b'?' if self.flow > 0 || next_blankz => {
                self.open_pair()?;
                if self.flow == 0 {
                    self.roll(self.column, self.line, true)?;
                }
                self.remove_key();
                self.key_allowed = self.flow == 0;
                self.skip();
            }
            b':' if self.flow > 0 || next_blankz => {
                self.open_pair()?;
                let key = if self.flow == 0 { self.key.take() } else { None };
                match key {
                    Some(key) => {
                        self.roll(key.column, key.line, true)?;
                        self.key_allowed = false;
                    }
                    None => {
                        if self.flow == 0 {
                            self.roll(self.column, self.line, true)?;
                        }
                        self.key_allowed = self.flow == 0;
                    }
                }
                self.skip();
            }
            b'*' | b'&' => {
                self.save_key();
                self.key_allowed = false;
                if c == b'*' {
                    self.count_node()?;
                }
                self.skip();
                while is_anchor_char(self.byte(0)) {
                    self.skip();
                }
            }
            b'!' => {
                self.save_key();
                self.key_allowed = false;
                self.tag();
            }
            b'|' | b'>' if self.flow == 0 => {
                self.remove_key();
                self.key_allowed = true;
                self.count_node()?;
                self.block_scalar();
            }
            b'\'' | b'"' => {
                self.save_key();
                self.key_allowed = false;
                self.count_node()?;
                self.quoted(c);
            }
            _ if starts_plain(c, next, next_blankz, self.flow) => {
                self.save_key();
                self.key_allowed = false;
                self.count_node()?;
                if self.plain() {
                    self.key_allowed = true;
                }
            }
            // A character that cannot start a token: libyaml stops here.
            _ => self.skip(),
        }
        Ok(())
    }

    /// In a flow sequence, `?` or `:` opens a mapping of one pair.
    fn open_pair(&mut self) -> Result<(), Excess> {
        if let Some(f) = self.flows.last_mut()
            && f.sequence
            && !f.pair
        {
            f.pair = true;
            self.pairs += 1;
            return self.check_depth();
        }
        Ok(())
    }

    /// `!tag`, `!handle!suffix` or `!<verbatim>`.
    fn tag(&mut self) {
        if self.byte(1) == b'<' {
            self.skip();
            self.skip();
            while is_uri_char(self.byte(0), true) {
                self.skip();
            }
            if self.byte(0) == b'>' {
                self.skip();
            }
            return;
        }
        self.skip();
        while is_anchor_char(self.byte(0)) {
            self.skip();
        }
        if self.byte(0) == b'!' {
            self.skip();
        }
        while is_uri_char(self.byte(0), false) {
            self.skip();
        }
    }

    /// A single- or double-quoted scalar, which may span lines.
    fn quoted(&mut self, quote: u8) {
        self.skip();
        loop {
            if self.at_end() || self.document_marker() {
                return;
            }
            if self.is_break() {
                self.skip_break();
                continue;
            }
            match self.byte(0) {
                b'\'' if quote == b'\'' && self.byte(1) == b'\'' => {
                    self.skip();
                    self.skip();
                }
                c if c == quote => {
                    self.skip();
                    return;
                }
                b'\\' if quote == b'"' => {
                    self.skip();
                    if self.is_break() {
                        self.skip_break();
                    } else {
                        self.skip();
                    }
                }
                _ => self.skip(),
            }
        }
    }

    /// A plain scalar, per libyaml's `scan_plain_scalar`; true when it ended
    /// after a line break (a simple key may follow).
    fn plain(&mut self) -> bool {
        let min_column = self.indent + 1;
        let mut leading_blanks = false;
        loop {
            if self.document_marker() || self.byte(0) == b'#' {
                break;
            }
            while !self.is_blankz() {
                let c = self.byte(0);
                let ends_at_colon = c == b':'
                    && (self.is_blankz_at(1)
                        || (self.flow > 0 && {
                            let n = self.byte(1);
                            is_flow_indicator(n) || n == b'?'
                        }));
                if ends_at_colon || (self.flow > 0 && is_flow_indicator(c)) {
                    return leading_blanks;
                }
                self.skip();
            }
            if !(is_blank(self.byte(0)) || self.is_break()) {
                break;
            }
            while is_blank(self.byte(0)) || self.is_break() {
                if self.is_break() {
                    self.skip_break();
                    leading_blanks = true;
                } else {
                    if leading_blanks && (self.column as isize) < min_column && self.byte(0) == b'\t' {
                        // libyaml: a tab that breaks indentation is an error.
                        return leading_blanks;
                    }
                    self.skip();
                }
            }
            if self.flow == 0 && (self.column as isize) < min_column {
                break;
            }
        }
        leading_blanks
    }

    /// A literal or folded block scalar, per libyaml's `scan_block_scalar`.
    fn block_scalar(&mut self) {
        self.skip();
        let mut increment = 0isize;
        for _ in 0..2 {
            match self.byte(0) {
                b'+' | b'-' => self.skip(),
                c @ b'1'..=b'9' if increment == 0 => {
                    increment = (c - b'0') as isize;
                    self.skip();
                }
                _ => break,
            }
        }
        while is_blank(self.byte(0)) {
            self.skip();
        }
        if self.byte(0) == b'#' {
            while !self.at_end() && !self.is_break() {
                self.skip();
            }
        }
        if !self.is_break() {
            // libyaml: "did not find expected comment or line break".
            return;
        }
        self.skip_break();
        let mut indent =
            if increment > 0 { if self.indent >= 0 { self.indent + increment } else { increment } } else { 0 };
        self.block_breaks(&mut indent);
        while self.column as isize == indent && !self.at_end() {
            while !self.at_end() && !self.is_break() {
                self.skip();
            }
            if self.at_end() {
                return;
            }
            self.skip_break();
            self.block_breaks(&mut indent);
        }
    }

    /// Empty lines and indentation before block scalar content; settles the
    /// content's indentation when it was not given.
    fn block_breaks(&mut self, indent: &mut isize) {
        let mut max_indent = 0isize;
        loop {
            while (*indent == 0 || (self.column as isize) < *indent) && self.byte(0) == b' ' {
                self.skip();
            }
            max_indent = max_indent.max(self.column as isize);
            if (*indent == 0 || (self.column as isize) < *indent) && self.byte(0) == b'\t' {
                // libyaml: a tab where indentation is expected is an error.
                break;
            }
            if !self.is_break() {
                break;
            }
            self.skip_break();
        }
        if *indent == 0 {
            *indent = max_indent.max(self.indent + 1).max(1);
        }
    }
}

/// Whether a plain scalar starts with `c` (libyaml's test, `next` following).
fn starts_plain(c: u8, next: u8, next_blankz: bool, flow: usize) -> bool {
    let indicator = matches!(
        c,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    );
    let blankz = c == 0 || is_blank(c) || c == b'\r' || c == b'\n';
    (!blankz && !indicator) || (c == b'-' && !is_blank(next)) || (flow == 0 && (c == b'?' || c == b':') && !next_blankz)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_ok(text: &str, max: usize) -> bool {
        check(text, max, usize::MAX).is_ok()
    }

    /// The least limit the text passes: its depth as the scan counts it.
    fn depth(text: &str) -> usize {
        (0..100).find(|&max| depth_ok(text, max)).expect("depth under 100")
    }

    #[test]
    fn counts_flow_and_block_levels() {
        assert_eq!(depth("a: 1\n"), 1);
        assert_eq!(depth("a: {b: {c: [1, 2]}}\n"), 4);
        assert_eq!(depth("a:\n  b:\n    c: 1\n"), 3);
        assert_eq!(depth("- - - a\n"), 3);
        // An indentless sequence is a level of its own.
        assert_eq!(depth("a:\n- 1\n- 2\nb: 3\n"), 2);
        // `b: c` in a flow sequence is a mapping of one pair.
        assert_eq!(depth("a: [b: c]\n"), 3);
        assert_eq!(depth("[[[]]]: x\n"), 4 + 2);
    }

    #[test]
    fn collections_that_may_be_keys_count_the_mapping_they_may_open() {
        // Four levels; the `{` could still be the key of a block mapping
        // (`- {a: b}: c`) until it closes.
        assert_eq!(depth("failures:\n  - {at: 1h, stop_service: {server: publisher, service: database}}\n"), 4 + 1);
        // Four levels; each collection that starts an entry of a flow
        // sequence could be the key of a one-pair mapping (`[[a]: b]`).
        assert_eq!(depth("a: [1, [2, {b: 3}]]\n"), 4 + 2);
    }

    #[test]
    fn text_in_scalars_and_comments_is_not_structure() {
        assert_eq!(depth("a: '[[[[[['\n"), 1);
        assert_eq!(depth("a: \"[[[[\\\" [[[[\"\n"), 1);
        assert_eq!(depth("a: it's [[[[ text\n"), 1);
        assert_eq!(depth("a: 1 # [[[[[[\n"), 1);
        assert_eq!(depth("a: |\n  [[[[[[\n  {{{{\nb: 2\n"), 1);
        assert_eq!(depth("a: >-\n  [[[[\n\n  [[[[\nb: 2\n"), 1);
        // A plain scalar goes on over more indented lines, quotes and all.
        assert_eq!(depth("a: one\n  'two [[[[[\nb: 3\n"), 1);
        assert_eq!(depth("a: 'multi\n  line [[[[[['\nb: 2\n"), 1);
    }

    #[test]
    fn what_looks_like_text_but_is_structure_counts() {
        // Inside flow collections a quote inside a plain scalar is text, the
        // brackets after it are structure.
        assert_eq!(depth("a: {x: b'c, y: {d: {e: f}}}\n"), 4);
        // A quote that starts a continuation line of a flow plain scalar.
        assert_eq!(depth("a: {x: b\n  'c, y: {d: {e: f}}}\n"), 4);
        // A block scalar ends at the first less indented line.
        assert_eq!(depth("a: |\n  text\nb: {x: {y: {z: c}}}\n"), 4);
        // A tag ends before a flow bracket (except in verbatim tags).
        assert_eq!(depth("a: !t {x: {y: b}}\n"), 3);
        // `#` without a blank before it does not start a comment.
        assert_eq!(depth("a: {x: b#, y: {z: c}}\n"), 3);
    }

    #[test]
    fn stops_at_the_first_level_past_the_limit() {
        // The k-th `[` counts 2k (the root mapping, k sequences, and k − 1
        // that may be pair keys): past 65 at the 33rd, 34 levels deep.
        let deep = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(check(&deep, 65, usize::MAX), Err(Excess::Depth((1, 36))));
        let dashes = format!("{}a\n", "- ".repeat(100_000));
        assert_eq!(check(&dashes, 32, usize::MAX), Err(Excess::Depth((1, 65))));
        let indented: String = (0..40).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
        assert_eq!(check(&indented, 32, usize::MAX), Err(Excess::Depth((33, 33))));
    }

    #[test]
    fn counts_nodes() {
        // a, the mapping it keys, [, 1, 2, 3: six nodes.
        assert_eq!(check("a: [1, 2, 3]\n", 32, 6), Ok(()));
        assert_eq!(check("a: [1, 2, 3]\n", 32, 5), Err(Excess::Nodes((1, 11))));
    }

    /// Pieces of YAML, structure and text, to build texts that probe where
    /// the scan could lose track of what is structure.
    const PIECES: &[&str] = &[
        "[",
        "]",
        "{",
        "}",
        ",",
        ", ",
        ":",
        ": ",
        "- ",
        "? ",
        "'",
        "\"",
        "''",
        "\\\"",
        " #",
        "#",
        " ",
        "\t",
        "\n",
        "\n  ",
        "\n    ",
        "a",
        "b c",
        "-1",
        ":x",
        "|",
        "|\n",
        ">-\n",
        "|2\n",
        "&x ",
        "!t ",
        "!<a[b]> ",
        "!!str ",
        "\\",
        "---\n",
        "...\n",
        "%YAML 1.2\n",
        "\r\n",
        "é",
    ];

    fn value_depth(v: &serde_yaml::Value) -> usize {
        use serde_yaml::Value;
        match v {
            Value::Sequence(items) => 1 + items.iter().map(value_depth).max().unwrap_or(0),
            Value::Mapping(map) => 1 + map.iter().map(|(k, v)| value_depth(k).max(value_depth(v))).max().unwrap_or(0),
            Value::Tagged(t) => value_depth(&t.value),
            _ => 0,
        }
    }

    /// A YAML tree, rendered in block or flow style.
    #[derive(Debug, Clone)]
    enum Tree {
        Scalar(&'static str),
        Seq(Vec<Tree>, bool),
        Map(Vec<(Tree, Tree)>, bool),
    }

    /// Scalars that look like structure, and block scalars.
    const SCALARS: &[&str] = &[
        "a",
        "'[[x'",
        "\"[{\\\"\"",
        "b'c",
        "x #[[",
        "-1",
        ":x",
        "it's",
        "'a''b'",
        "!t x",
        "&n y",
        "|\n[[[ {",
        ">-\n'x",
    ];

    fn tree() -> impl proptest::strategy::Strategy<Value = Tree> {
        use proptest::prelude::*;
        let leaf = proptest::sample::select(SCALARS).prop_map(Tree::Scalar);
        leaf.prop_recursive(8, 48, 4, |inner| {
            prop_oneof![
                (proptest::collection::vec(inner.clone(), 0..4), any::<bool>()).prop_map(|(v, b)| Tree::Seq(v, b)),
                (proptest::collection::vec((inner.clone(), inner), 0..4), any::<bool>())
                    .prop_map(|(v, b)| Tree::Map(v, b)),
            ]
        })
    }

    /// Renders `t` in flow style.
    fn flow(t: &Tree, out: &mut String) {
        match t {
            Tree::Scalar(s) if s.contains('\n') => out.push('x'),
            Tree::Scalar(s) => out.push_str(s),
            Tree::Seq(items, _) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    flow(item, out);
                }
                out.push(']');
            }
            Tree::Map(pairs, _) => {
                out.push('{');
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    flow(k, out);
                    out.push_str(": ");
                    flow(v, out);
                }
                out.push('}');
            }
        }
    }

    /// Renders `t` as a block value at `indent` (after `key:` or `-`).
    fn block(t: &Tree, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        match t {
            Tree::Seq(items, true) if !items.is_empty() => {
                out.push('\n');
                for item in items {
                    out.push_str(&format!("{pad}-"));
                    block(item, indent + 2, out);
                }
            }
            Tree::Map(pairs, true) if !pairs.is_empty() => {
                out.push('\n');
                for (k, v) in pairs {
                    out.push_str(&pad);
                    flow(k, out);
                    out.push(':');
                    block(v, indent + 2, out);
                }
            }
            Tree::Scalar(s) if s.contains('\n') => {
                let (head, body) = s.split_once('\n').unwrap_or((s, ""));
                out.push_str(&format!(" {head}\n{pad}{body}\n"));
            }
            _ => {
                out.push(' ');
                flow(t, out);
                out.push('\n');
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3000),
            failure_persistence: None,
            ..Default::default()
        })]

        /// The scan's count is an upper bound on the depth libyaml (serde_yaml)
        /// reads, for trees in mixed styles with scalars that look like
        /// structure, for the same texts with one piece of YAML put anywhere,
        /// and for soups of pieces. (yaml-rust2 reads some texts otherwise,
        /// e.g. `#` inside tags; it stops by itself at 255 flow levels and the
        /// survey counts its depth exactly.)
        #[test]
        fn never_counts_fewer_levels_than_the_parsers_read(
            root in tree(),
            piece in proptest::sample::select(PIECES),
            at in 0..10_000usize,
            soup in proptest::collection::vec(proptest::sample::select(PIECES), 0..40),
        ) {
            let mut text = "root:".to_string();
            block(&root, 2, &mut text);
            let mut cut = at % (text.len() + 1);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let mut mutated = text.clone();
            mutated.insert_str(cut, piece);
            for text in [text, mutated, soup.concat()] {
                let real = serde_yaml::from_str::<serde_yaml::Value>(&text).map_or(0, |v| value_depth(&v));
                if real > 0 {
                    proptest::prop_assert!(check(&text, real - 1, usize::MAX).is_err(), "{text:?} reads {real} deep");
                }
            }
        }
    }
}
