//! serde's type errors in the user's words.
//!
//! serde and serde_yaml speak of Rust types ("invalid type: string \"lots\",
//! expected f64", "expected u32", "expected a YAML tag starting with '!'",
//! "… as u128, expected any YAML value"). A scenario's author thinks in
//! numbers, text, lists and mappings: this module turns "invalid type/value: X,
//! expected Y" into "must be Y, not X" in those words, using the key path where
//! the message alone does not say what the key holds.

use super::chat::{DataCentre, MirrorOrder};
use super::voice::{AdminAction, HoldDistribution, Integration, Node, Routing, ServerName, Service};
use serde::de::DeserializeOwned;

/// `Some("must be …, not …")` for serde's "invalid type/value: …, expected …".
pub fn type_message(key: Option<&str>, message: &str) -> Option<String> {
    let rest = message.strip_prefix("invalid type: ").or_else(|| message.strip_prefix("invalid value: "))?;
    let (unexpected, expected) = split_unexpected(rest)?;
    let field = key.map(last_field).unwrap_or_default();
    Some(format!(
        "must be {}, not {}",
        expected_words(key.unwrap_or_default(), field, expected),
        unexpected_words(unexpected)
    ))
}

/// Splits "UNEXPECTED, expected EXPECTED"; a string may itself hold ", expected ".
fn split_unexpected(rest: &str) -> Option<(&str, &str)> {
    let search_from = match rest.strip_prefix("string \"") {
        Some(inner) => {
            let mut escaped = false;
            let end = inner.char_indices().find(|&(_, c)| {
                let closes = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                closes
            })?;
            "string \"".len() + end.0 + 1
        }
        None => 0,
    };
    let split = rest[search_from..].find(", expected ")? + search_from;
    Some((&rest[..split], &rest[split + ", expected ".len()..]))
}

/// The last key of a path: `failures[0].crash` → `crash`, `servers[1]` → `servers`.
fn last_field(key: &str) -> &str {
    let last = key.rsplit('.').next().unwrap_or(key);
    last.split('[').next().unwrap_or(last)
}

fn unexpected_words(unexpected: &str) -> String {
    let quoted = |s: &str| s.split('`').nth(1).unwrap_or(s).to_string();
    if let Some(text) = unexpected.strip_prefix("string \"").and_then(|s| s.strip_suffix('"')) {
        return format!("the string `{text}`");
    }
    if unexpected.starts_with("integer `") || unexpected.starts_with("floating point `") {
        return format!("the number {}", quoted(unexpected));
    }
    if unexpected.starts_with("boolean `") {
        return format!("`{}`", quoted(unexpected));
    }
    match unexpected {
        "sequence" => "a list".into(),
        "map" => "a mapping".into(),
        "unit value" => "an empty value".into(),
        "enum" => "a tagged value".into(),
        other => other.into(),
    }
}

/// What `field` (at `key`) holds, from serde's `expected` and the key.
fn expected_words(key: &str, field: &str, expected: &str) -> String {
    match expected {
        "f64" | "f32" => "a number".into(),
        "a boolean" => "true or false".into(),
        "a string" | "a borrowed string" => "text".into(),
        "a sequence" => list_words(field),
        "a map" => "a mapping".into(),
        "a YAML tag starting with '!'" => enum_words(key, field),
        "any YAML value" => whole_number_words(field).unwrap_or_else(|| "a smaller number".into()),
        _ if expected.starts_with("enum ") => enum_words(key, field),
        _ if expected.starts_with("struct ") => "a mapping".into(),
        _ => integer_words(field, expected).unwrap_or_else(|| expected.to_string()),
    }
}

fn integer_words(field: &str, expected: &str) -> Option<String> {
    Some(match expected {
        "u64" if field == "seed" => SEED.into(),
        "u64" => "a whole number from 0 to 18446744073709551615".into(),
        "u32" => U32.into(),
        "u16" => "a whole number from 0 to 65535".into(),
        "u8" => "a whole number from 0 to 255".into(),
        "i64" | "i32" | "usize" | "isize" => "a whole number".into(),
        _ => return None,
    })
}

const SEED: &str = "a seed from 0 to 2^64−1 (18446744073709551615)";
const U32: &str = "a whole number from 0 to 4294967295";

/// For an integer too large for any Rust integer ("… as u128, expected any
/// YAML value"): what the key holds.
fn whole_number_words(field: &str) -> Option<String> {
    match field {
        "seed" => Some(SEED.into()),
        "replications" | "ports" | "publisher" | "subscriber" | "phone_system" => Some(U32.into()),
        _ => None,
    }
}

fn list_words(field: &str) -> String {
    match field {
        "failures" => "a list of timeline entries".into(),
        "servers" => "a list of servers, e.g. [publisher, subscriber]".into(),
        "hourly_profile" => "a list of 24 multipliers, one per hour".into(),
        _ => "a list, e.g. [a, b]".into(),
    }
}

/// The names an enum-valued key accepts, e.g. "one of publisher, subscriber".
fn enum_words(key: &str, field: &str) -> String {
    let names = match field {
        "crash" | "restart" | "isolate" | "replicate" | "server" | "servers" => names_of::<ServerName>(),
        "from" | "to" | "partition" | "heal" | "link" => names_of::<Node>(),
        // Of the seven statuses, a run may start in these four only.
        "publisher" | "subscriber" if key.contains("initial") => {
            Some(["primary", "secondary", "deactivated", "not_functioning"].map(String::from).to_vec())
        }
        "service" => names_of::<Service>(),
        "integration" => names_of::<Integration>(),
        "routing" => names_of::<Routing>(),
        "distribution" => names_of::<HoldDistribution>(),
        "action" => names_of::<AdminAction>(),
        "datacenter_down" => names_of::<DataCentre>(),
        "mirror" => names_of::<MirrorOrder>(),
        _ => None,
    };
    match names.as_deref() {
        Some([one]) => format!("`{one}`"),
        Some([a, b]) => format!("{a} or {b}"),
        Some([first @ .., last]) => format!("one of {} or {last}", first.join(", ")),
        _ => "one of the names this key accepts (a single word)".into(),
    }
}

/// The names a unit enum deserialises from, as serde lists them when it
/// refuses an unknown one.
fn names_of<T: DeserializeOwned>() -> Option<Vec<String>> {
    let error = serde_yaml::from_str::<T>("\"\"").err()?.to_string();
    let list = error.split("expected one of ").nth(1).or_else(|| error.split("expected ").nth(1))?;
    let names: Vec<String> = list.split('`').skip(1).step_by(2).map(str::to_string).collect();
    (!names.is_empty()).then_some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(key: &str, message: &str) -> String {
        type_message(Some(key), message).expect("a type message")
    }

    #[test]
    fn numbers_text_and_flags_are_named_as_the_user_writes_them() {
        assert_eq!(
            words("traffic.calls_per_hour", "invalid type: string \"lots\", expected f64"),
            "must be a number, not the string `lots`"
        );
        assert_eq!(
            words("replications", "invalid value: integer `5000000000`, expected u32"),
            "must be a whole number from 0 to 4294967295, not the number 5000000000"
        );
        assert_eq!(
            words("seed", "invalid type: integer `18446744073709551616` as u128, expected any YAML value"),
            "must be a seed from 0 to 2^64−1 (18446744073709551615), not the number 18446744073709551616"
        );
        assert_eq!(
            words("phone_system.overflow", "invalid type: string \"yes\", expected a boolean"),
            "must be true or false, not the string `yes`"
        );
        assert_eq!(words("name", "invalid type: sequence, expected a string"), "must be text, not a list");
        assert_eq!(
            words("phone_system.ports", "invalid type: unit value, expected u32"),
            "must be a whole number from 0 to 4294967295, not an empty value"
        );
    }

    #[test]
    fn lists_mappings_and_names_are_named_by_what_the_key_holds() {
        assert_eq!(
            words("failures", "invalid type: map, expected a sequence"),
            "must be a list of timeline entries, not a mapping"
        );
        assert_eq!(
            words("failures[0].crash", "invalid type: sequence, expected a YAML tag starting with '!'"),
            "must be publisher or subscriber, not a list"
        );
        assert_eq!(
            words("failures[0].datacenter_down", "invalid type: map, expected a YAML tag starting with '!'"),
            "must be `primary`, not a mapping"
        );
        assert_eq!(
            words("cluster.initial.publisher", "invalid type: map, expected a YAML tag starting with '!'"),
            "must be one of primary, secondary, deactivated or not_functioning, not a mapping"
        );
    }

    #[test]
    fn a_string_holding_the_separator_is_not_split_inside() {
        assert_eq!(
            words("x", "invalid type: string \"a, expected \\\"b\\\"\", expected f64"),
            "must be a number, not the string `a, expected \\\"b\\\"`"
        );
    }

    #[test]
    fn other_messages_are_left_alone() {
        assert_eq!(type_message(Some("duration"), "duration `3600` needs a unit"), None);
    }
}
