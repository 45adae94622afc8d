//! Reading a scenario file: bounded, whatever the path names.
//!
//! A path may name a huge file, a device that never ends (`/dev/zero`,
//! `/dev/urandom`) or a pipe fed by a runaway script. Reading stops one byte
//! past [`MAX_SCENARIO_BYTES`], so such a source is refused at once and memory
//! stays bounded; the bytes must then be UTF-8 text.

use super::ScenarioError;
use std::io::Read;
use std::path::Path;

/// The largest scenario file clustersim reads: 4 MiB. The bundled scenarios
/// are a few kilobytes; a hand-written scenario, even with a timeline of
/// thousands of entries, stays far below it.
pub const MAX_SCENARIO_BYTES: u64 = 4 * 1024 * 1024;

/// `4 MiB (4194304 bytes)`, for messages.
pub fn cap_words() -> String {
    format!("{} MiB ({MAX_SCENARIO_BYTES} bytes)", MAX_SCENARIO_BYTES / (1024 * 1024))
}

fn too_large(file: &str) -> ScenarioError {
    ScenarioError::whole_file(
        file,
        format!("is larger than {}, the most a scenario file may hold; it is not a scenario", cap_words()),
    )
}

/// Reads the scenario text at `path`: at most [`MAX_SCENARIO_BYTES`], UTF-8,
/// no control characters.
pub fn read_text(path: &Path) -> Result<String, ScenarioError> {
    let file = path.display().to_string();
    let cannot = |e: std::io::Error| ScenarioError::whole_file(&file, format!("cannot be read: {e}"));
    // `metadata` follows links and never blocks, even on a pipe or a device.
    let metadata = std::fs::metadata(path).map_err(cannot)?;
    if metadata.is_dir() {
        return Err(ScenarioError::whole_file(&file, "is a directory, not a scenario file"));
    }
    if metadata.is_file() && metadata.len() > MAX_SCENARIO_BYTES {
        return Err(too_large(&file));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path).and_then(|f| f.take(MAX_SCENARIO_BYTES + 1).read_to_end(&mut bytes)).map_err(cannot)?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(too_large(&file));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let (line, column) = position_after(valid);
        located(&file, line, column, "is not valid UTF-8 text")
    })
}

/// Refuses control characters (YAML allows none but tab and line breaks) and
/// the Unicode line breaks NEL, LS and PS, which YAML parsers disagree on.
pub fn check_characters(file: &str, text: &str) -> Result<(), ScenarioError> {
    let Some((i, c)) = text.char_indices().find(|&(_, c)| is_forbidden(c)) else { return Ok(()) };
    let (line, column) = position_after(&text.as_bytes()[..i]);
    let what = if c.is_control() { "the control character" } else { "the Unicode line break" };
    Err(located(
        file,
        line,
        column,
        &format!("holds {what} U+{:04X}; a scenario is plain text with ordinary line breaks", c as u32),
    ))
}

fn located(file: &str, line: usize, column: usize, message: &str) -> ScenarioError {
    ScenarioError { line: Some(line), column: Some(column), ..ScenarioError::whole_file(file, message) }
}

/// Line and column (from 1) of the character that follows `before`.
fn position_after(before: &[u8]) -> (usize, usize) {
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let last_line = before.rsplit(|b| *b == b'\n').next().unwrap_or_default();
    // Columns count characters: skip UTF-8 continuation bytes.
    let column = last_line.iter().filter(|b| (**b & 0xC0) != 0x80).count() + 1;
    (line, column)
}

/// What YAML 1.2 does not allow in a stream (its c-printable set, inverted),
/// and NEL, LS and PS.
fn is_forbidden(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => false,
        '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}' => true,
        '\u{2028}' | '\u{2029}' | '\u{FFFE}' | '\u{FFFF}' => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_from_one() {
        assert_eq!(position_after(b""), (1, 1));
        assert_eq!(position_after(b"ab\ncd"), (2, 3));
        assert_eq!(position_after("é".as_bytes()), (1, 2));
    }

    #[test]
    fn control_characters_are_refused_but_tabs_and_breaks_are_not() {
        for c in ['\u{0}', '\u{7}', '\u{1B}', '\u{7F}', '\u{85}', '\u{9B}', '\u{2028}'] {
            assert!(is_forbidden(c), "{c:?}");
        }
        for c in ['\t', '\n', '\r', 'a', 'é', '\u{FEFF}'] {
            assert!(!is_forbidden(c), "{c:?}");
        }
    }
}
