//! Durations with units: `90s`, `1h30m`, `50ms`, `1.5h`, `2d`.
//!
//! A bare number is an error (the unit is not guessable), components go from the
//! largest unit to the smallest, each at most once, and the value must be a whole
//! number of microseconds. Parsing is exact decimal arithmetic: no float ever
//! decides a duration.

use crate::engine::{DAY, HOUR, MINUTE, MS, SECOND, Time};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserialize, Deserializer, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A non-negative duration, held as integer microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    us: u64,
}

/// The units, largest first, in microseconds.
const UNITS: [(&str, u64); 5] =
    [("d", DAY.as_us()), ("h", HOUR.as_us()), ("m", MINUTE.as_us()), ("s", SECOND.as_us()), ("ms", MS.as_us())];

impl Duration {
    pub const ZERO: Duration = Duration { us: 0 };

    pub const fn from_time(t: Time) -> Self {
        Duration { us: t.as_us() }
    }

    pub const fn from_secs(s: u64) -> Self {
        Duration { us: s * SECOND.as_us() }
    }

    pub const fn from_mins(m: u64) -> Self {
        Duration { us: m * MINUTE.as_us() }
    }

    pub const fn from_millis(ms: u64) -> Self {
        Duration { us: ms * MS.as_us() }
    }

    /// The duration in the engine's time.
    pub const fn as_us(self) -> Time {
        Time::from_us(self.us)
    }

    /// The duration in microseconds, as a plain number (for rates and ratios).
    pub const fn micros(self) -> u64 {
        self.us
    }

    pub fn as_secs_f64(self) -> f64 {
        self.as_us().secs()
    }

    pub fn is_zero(self) -> bool {
        self.us == 0
    }

    /// Parses `text`; the error is a short phrase fit to follow a key name.
    pub fn parse(text: &str) -> Result<Duration, String> {
        let compact: String = text.chars().filter(|c| !is_space(*c)).collect();
        if compact.is_empty() {
            return Err("duration is empty; write it with a unit, e.g. 30s".into());
        }
        if compact.starts_with('-') {
            return Err(format!("duration `{text}` is negative; durations are 0s or more"));
        }
        if compact.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return Err(format!("duration `{text}` needs a unit, e.g. {text}s (units: d, h, m, s, ms)"));
        }
        let mut rest = compact.as_str();
        let mut total: u64 = 0;
        let mut last_rank: Option<usize> = None;
        while !rest.is_empty() {
            let number_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
            if number_len == 0 {
                return Err(format!("duration `{text}` is not of the form 1h30m (units: d, h, m, s, ms)"));
            }
            let (number, after) = rest.split_at(number_len);
            let unit_len = after.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(after.len());
            let (unit, after) = after.split_at(unit_len);
            if unit.is_empty() {
                return Err(format!("duration `{text}` needs a unit after `{number}` (units: d, h, m, s, ms)"));
            }
            let rank = UNITS
                .iter()
                .position(|(name, _)| *name == unit)
                .ok_or_else(|| format!("duration `{text}` has an unknown unit `{unit}` (units: d, h, m, s, ms)"))?;
            if last_rank.is_some_and(|r| rank <= r) {
                return Err(format!(
                    "duration `{text}` must list its units from largest to smallest, each once (e.g. 1h30m)"
                ));
            }
            last_rank = Some(rank);
            let part = scaled(number, UNITS[rank].1)
                .ok_or_else(|| format!("duration `{text}` is not a whole number of microseconds or is too large"))?;
            total = total.checked_add(part).ok_or_else(|| format!("duration `{text}` is too large"))?;
            rest = after;
        }
        Ok(Duration { us: total })
    }
}

/// Whitespace as JSON Schema's regular expressions (ECMAScript's `\s`) know
/// it, so that the schema's [`pattern`] and the parser agree on every string.
fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}'
    )
}

/// `number` (decimal digits, at most one point) times `unit_us`, exactly.
fn scaled(number: &str, unit_us: u64) -> Option<u64> {
    let (int_part, frac_part) = match number.split_once('.') {
        Some((i, f)) => (i, f),
        None => (number, ""),
    };
    if frac_part.contains('.') || (int_part.is_empty() && frac_part.is_empty()) {
        return None;
    }
    let int: u64 = if int_part.is_empty() { 0 } else { int_part.parse().ok()? };
    let mut value = int.checked_mul(unit_us)?;
    if !frac_part.is_empty() {
        if frac_part.len() > 18 {
            return None;
        }
        let frac: u128 = frac_part.parse().ok()?;
        let denominator = 10u128.pow(frac_part.len() as u32);
        let numerator = frac * unit_us as u128;
        if !numerator.is_multiple_of(denominator) {
            return None;
        }
        value = value.checked_add(u64::try_from(numerator / denominator).ok()?)?;
    }
    Some(value)
}

impl fmt::Display for Duration {
    /// The canonical form, e.g. `1h30m`, `50ms`, `0s`; sub-millisecond rests in `s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.us == 0 {
            return f.write_str("0s");
        }
        if !self.us.is_multiple_of(MS.as_us()) {
            let secs = self.us / SECOND.as_us();
            let frac = format!("{:06}", self.us % SECOND.as_us());
            return write!(f, "{secs}.{}s", frac.trim_end_matches('0'));
        }
        let mut rest = self.us;
        for (name, unit) in UNITS {
            if rest >= unit {
                write!(f, "{}{name}", rest / unit)?;
                rest %= unit;
            }
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DurationVisitor;
        impl Visitor<'_> for DurationVisitor {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration with a unit, e.g. 30s or 1h30m")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                Duration::parse(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                Err(E::custom(format!("duration `{v}` needs a unit, e.g. {v}s (units: d, h, m, s, ms)")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                if v < 0 {
                    return Err(E::custom(format!("duration `{v}` is negative and has no unit; write e.g. 30s")));
                }
                self.visit_u64(v as u64)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
                Err(E::custom(format!("duration `{v}` needs a unit, e.g. 30s (units: d, h, m, s, ms)")))
            }
        }
        deserializer.deserialize_any(DurationVisitor)
    }
}

/// The duration syntax as a regular expression in the ECMAScript dialect that
/// JSON Schema specifies, for the scenario schema.
///
/// It accepts exactly the strings [`Duration::parse`] can read, except two
/// limits a pattern cannot state well and the parser keeps to itself: the value
/// must be a whole number of microseconds (`0.0000001s` is not) and fit in 64
/// bits of them (about 584,000 years). Because the parser removes all
/// whitespace first, `\s*` may follow every character; at least one
/// component is required, and components come largest unit first, each once.
pub fn pattern() -> String {
    const DIGIT: &str = r"[0-9]\s*";
    // Digits with at most one point and at least one digit; at most 18 decimals.
    let number = format!(r"(?:(?:{DIGIT})+(?:\.\s*(?:{DIGIT}){{0,18}})?|\.\s*(?:{DIGIT}){{1,18}})");
    let parts: Vec<String> = UNITS
        .iter()
        .map(|(unit, _)| {
            let letters: Vec<String> = unit.chars().map(String::from).collect();
            format!(r"{number}{}\s*", letters.join(r"\s*"))
        })
        .collect();
    // One or more parts, in order: any(k) = (part k)? any(k+1) | part k.
    let mut any = parts[parts.len() - 1].clone();
    for part in parts.iter().rev().skip(1) {
        any = format!("(?:{part})?(?:{any})|{part}");
    }
    format!(r"^\s*(?:{any})$")
}

impl JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        // `patternErrorMessage` is the YAML language server's: it shows this
        // sentence instead of the long pattern; other validators ignore it.
        json_schema!({
            "description": "A duration: a number and a unit (d, h, m, s, ms), components largest first and \
                each unit once, e.g. 30s, 1h30m, 2h07m30s, 1.5h, 50ms. A bare number is an error: the unit \
                cannot be guessed. The value must be a whole number of microseconds.",
            "type": "string",
            "pattern": pattern(),
            "patternErrorMessage": "a duration needs a unit, e.g. 30s, 1h30m or 50ms (units d, h, m, s, ms, \
                largest first, each once)",
            "examples": ["30s", "1h30m", "50ms"],
        })
    }
}

impl serde::Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_combinations() {
        assert_eq!(Duration::parse("90s").unwrap().as_us(), SECOND * 90);
        assert_eq!(Duration::parse("1h30m").unwrap().as_us(), MINUTE * 90);
        assert_eq!(Duration::parse("2h07m30s").unwrap().as_us(), HOUR * 2 + MINUTE * 7 + SECOND * 30);
        assert_eq!(Duration::parse("50ms").unwrap().as_us(), MS * 50);
        assert_eq!(Duration::parse("1.5h").unwrap().as_us(), MINUTE * 90);
        assert_eq!(Duration::parse("0s").unwrap().as_us(), Time::ZERO);
        assert_eq!(Duration::parse("1d 2h").unwrap().as_us(), HOUR * 26);
        assert_eq!(Duration::parse("0.000001s").unwrap().as_us(), Time::from_us(1));
    }

    #[test]
    fn rejects_what_it_cannot_read_exactly() {
        for bad in
            ["", "90", "1.5", "-5s", "5x", "30m1h", "1h1h", "s", "1..5s", "0.0000001s", "99999999999999999d", "h5"]
        {
            assert!(Duration::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(Duration::parse("90").unwrap_err().contains("needs a unit"));
    }

    #[test]
    fn displays_canonically_and_round_trips() {
        for text in ["1h30m", "50ms", "0s", "2d3h4m5s6ms", "1.5s", "0.000001s"] {
            let d = Duration::parse(text).unwrap();
            assert_eq!(Duration::parse(&d.to_string()).unwrap(), d, "{text}");
        }
        assert_eq!(Duration::parse("90m").unwrap().to_string(), "1h30m");
        assert_eq!(Duration::parse("1500ms").unwrap().to_string(), "1s500ms");
    }
}
