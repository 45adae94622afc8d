//! The scenario schema (`clustersim schema`, `schema/scenario.schema.json`):
//! it is what the code prints, it is a valid draft 2020-12 schema, and an
//! independent validator (the `jsonschema` crate) agrees with the parser on
//! the bundled scenarios, on generated and mutated ones, and on the mistakes
//! a person makes: what the parser rejects for a key, a type or a value, the
//! schema rejects too.

use crate::common::*;
use crate::generate;
use clustersim::scenario::{Duration, parse_str};
use proptest::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const SCHEMA_FILE: &str = "schema/scenario.schema.json";
const REGENERATE: &str = "cargo run --release -- schema > schema/scenario.schema.json";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn committed_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let text = std::fs::read_to_string(repo().join(SCHEMA_FILE))
            .unwrap_or_else(|e| panic!("{SCHEMA_FILE} cannot be read ({e}); write it with `{REGENERATE}`"));
        serde_json::from_str(&text).expect("the committed schema is JSON")
    })
}

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| jsonschema::draft202012::new(committed_schema()).expect("the schema compiles"))
}

/// The YAML text as the JSON value a schema validator sees.
fn as_json(yaml: &str) -> Value {
    serde_yaml::from_str(yaml).unwrap_or_else(|e| panic!("not YAML ({e}):\n{yaml}"))
}

/// The schema's complaints about `yaml`, one line each (empty if it conforms).
fn schema_errors(yaml: &str) -> Vec<String> {
    let value = as_json(yaml);
    validator().iter_errors(&value).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

/// Every bundled scenario: `scenarios/*.yaml` and the scenarios among the benches.
fn bundled_scenarios() -> Vec<PathBuf> {
    let mut files = vec![];
    for dir in ["scenarios", "benches"] {
        for entry in std::fs::read_dir(repo().join(dir)).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "yaml") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 24, "expected the scenario library, found {files:?}");
    files
}

#[test]
fn the_committed_schema_is_what_clustersim_schema_prints() {
    let output = bin().arg("schema").output().expect("run clustersim schema");
    assert!(output.status.success(), "clustersim schema failed: {}", stderr(&output));
    let printed = String::from_utf8(output.stdout).expect("UTF-8");
    let committed = std::fs::read_to_string(repo().join(SCHEMA_FILE)).unwrap_or_default();
    assert!(
        printed == committed,
        "{SCHEMA_FILE} is not what `clustersim schema` prints now (a scenario type changed?); regenerate it with\n  \
         {REGENERATE}"
    );
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema_of_either_kind_chosen_by_kind() {
    let schema = committed_schema();
    jsonschema::meta::validate(schema).expect("valid against its meta-schema");
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert!(schema["title"].is_string() && schema["description"].is_string());
    // `kind` chooses the branch: persistent_chat, or a voice scenario.
    assert_eq!(schema["if"]["properties"]["kind"]["const"], "persistent_chat");
    assert_eq!(schema["then"]["$ref"], "#/$defs/ChatScenario");
    assert_eq!(schema["else"]["$ref"], "#/$defs/VoiceScenario");
    assert_eq!(schema["$defs"]["VoiceScenario"]["properties"]["kind"]["const"], "voice_messaging");
}

/// Every object schema in `$defs` and below, with its path.
fn object_schemas(value: &Value, path: String, out: &mut Vec<(String, serde_json::Map<String, Value>)>) {
    match value {
        Value::Object(map) => {
            if map.contains_key("properties") {
                out.push((path.clone(), map.clone()));
            }
            for (key, inner) in map {
                object_schemas(inner, format!("{path}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                object_schemas(inner, format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_key_has_a_description_and_unknown_keys_are_refused() {
    let mut objects = vec![];
    object_schemas(&committed_schema()["$defs"], "#/$defs".into(), &mut objects);
    let mut keys = 0;
    for (path, object) in &objects {
        // Branches that only require a key (a timeline entry's one action) describe nothing new.
        if object.len() <= 2 && object.contains_key("required") {
            continue;
        }
        assert_eq!(object.get("additionalProperties"), Some(&Value::Bool(false)), "{path} accepts unknown keys");
        for (key, property) in object["properties"].as_object().expect("properties") {
            keys += 1;
            let text = property["description"].as_str().unwrap_or_default();
            assert!(text.len() > 10, "{path}/properties/{key} has no description: give its field a doc comment");
        }
    }
    // Both kinds' top-level keys, the cluster's, the phone system's, ... (a
    // floor, so that a schema that lost its structure cannot pass).
    assert!(keys >= 90, "only {keys} keys in the schema");
}

#[test]
fn every_bundled_scenario_names_the_schema_on_its_first_line_and_conforms_to_it() {
    for path in bundled_scenarios() {
        let text = std::fs::read_to_string(&path).expect("read");
        let first = text.lines().next().unwrap_or_default();
        assert_eq!(
            first,
            "# yaml-language-server: $schema=../schema/scenario.schema.json",
            "{} does not name the schema first",
            path.display()
        );
        assert!(parse_str("s.yaml", "s", &text).is_ok(), "{} is invalid", path.display());
        let errors = schema_errors(&text);
        assert!(errors.is_empty(), "{} breaks the schema: {errors:#?}", path.display());
    }
}

/// Scenarios the parser refuses for a key, a type or a value, each with the
/// reason; the schema must refuse them too.
const REFUSED: &[(&str, &str)] = &[
    ("an unknown top-level key", "duration: 1h\ntrafic: {calls_per_hour: 3}\n"),
    ("an unknown nested key", "duration: 1h\ntraffic:\n  hold_time: {mean: 3s, sdd: 1s}\n"),
    ("an unknown key in a timeline entry", "duration: 1h\nfailures:\n  - {at: 1m, crash: publisher, fore: 1m}\n"),
    ("a string for phone_system.ports", "duration: 1h\nphone_system: {ports: sixteen}\n"),
    ("a quoted number for phone_system.ports", "duration: 1h\nphone_system: {ports: \"16\"}\n"),
    ("a negative port count", "duration: 1h\nphone_system: {ports: -4}\n"),
    ("an unknown integration", "duration: 1h\nphone_system: {integration: skinny}\n"),
    ("an unknown routing", "duration: 1h\nphone_system: {routing: fastest}\n"),
    ("a bare number for a duration", "duration: 3600\n"),
    ("a bare number for a nested duration", "duration: 1h\ncluster:\n  keepalive: {interval: 15}\n"),
    ("a duration with an unknown unit", "duration: 1h\ncluster: {takeover: 5sec}\n"),
    ("a duration with units out of order", "duration: 30m1h\n"),
    ("no duration", "seed: 3\n"),
    ("an unknown admin action", "duration: 1h\nfailures:\n  - {at: 1m, admin: {server: subscriber, action: reboot}}\n"),
    ("an unknown server", "duration: 1h\nfailures:\n  - {at: 1m, crash: backup}\n"),
    ("an unknown service", "duration: 1h\nfailures:\n  - {at: 1m, stop_service: {server: publisher, service: smtp}}\n"),
    ("a link of three nodes", "duration: 1h\nfailures:\n  - {at: 1m, partition: [publisher, subscriber, network]}\n"),
    ("a one-way link without `to`", "duration: 1h\nfailures:\n  - {at: 1m, partition: {from: publisher}}\n"),
    ("heal of something that is not a link", "duration: 1h\nfailures:\n  - {at: 1m, heal: everything}\n"),
    ("a timeline entry without an action", "duration: 1h\nfailures:\n  - {at: 1m}\n"),
    (
        "a timeline entry with two actions",
        "duration: 1h\nfailures:\n  - {at: 1m, crash: publisher, isolate: subscriber}\n",
    ),
    ("an initial status a run cannot start in", "duration: 1h\ncluster:\n  initial: {publisher: starting}\n"),
    ("an unknown hold-time distribution", "duration: 1h\ntraffic:\n  hold_time: {distribution: gamma, mean: 60s}\n"),
    ("a fraction above 1", "duration: 1h\ntraffic: {leave_message: 1.5}\n"),
    (
        "an hourly profile of 23 values",
        "duration: 1h\ntraffic: {hourly_profile: [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}\n",
    ),
    ("an unknown kind", "kind: voice\nduration: 1h\n"),
    ("a name that is a path", "name: ../x\nduration: 1h\n"),
    ("zero replications", "duration: 1h\nreplications: 0\n"),
    ("an unknown random-failure process", "duration: 1h\nrandom_failures:\n  flood: {mtbf: 1h, mttr: 1m}\n"),
    (
        "an unknown runbook step in a chat scenario",
        "kind: persistent_chat\nduration: 6h\nchat: {posts_per_hour: 10}\nrunbook: {decide: 15m, reboot_servers: 5m}\n",
    ),
    (
        "a runbook range without max",
        "kind: persistent_chat\nduration: 6h\nchat: {posts_per_hour: 10}\nrunbook: {install_mirror: {min: 15m}}\n",
    ),
    (
        "a bare number for a runbook step",
        "kind: persistent_chat\nduration: 6h\nchat: {posts_per_hour: 10}\nrunbook: {decide: 15}\n",
    ),
    ("a chat scenario without chat", "kind: persistent_chat\nduration: 6h\n"),
    (
        "a chat scenario with a voice key",
        "kind: persistent_chat\nduration: 6h\nchat: {posts_per_hour: 1}\nphone_system: {ports: 8}\n",
    ),
    (
        "an unknown data centre",
        "kind: persistent_chat\nduration: 6h\nchat: {posts_per_hour: 1}\nfailures:\n  - {at: 1h, datacenter_down: backup}\n",
    ),
];

#[test]
fn what_the_parser_refuses_for_a_key_a_type_or_a_value_the_schema_refuses_too() {
    for (what, yaml) in REFUSED {
        assert!(parse_str("s.yaml", "s", yaml).is_err(), "the parser accepts {what}:\n{yaml}");
        assert!(!schema_errors(yaml).is_empty(), "the schema accepts {what}:\n{yaml}");
    }
}

/// Valid scenarios beyond the bundled ones, using the forms the parser reads by hand.
const ACCEPTED: &[(&str, &str)] = &[
    (
        "a one-way partition",
        "duration: 2h\nfailures:\n  - {at: 1h, partition: {from: publisher, to: subscriber}, for: 10m}\n",
    ),
    ("heal: all", "duration: 2h\nfailures:\n  - {at: 1h, isolate: subscriber}\n  - {at: 90m, heal: all}\n"),
    (
        "heal of one link",
        "duration: 2h\nfailures:\n  - {at: 1h, partition: [publisher, network]}\n  - {at: 90m, heal: [publisher, network]}\n",
    ),
    (
        "a repeating entry",
        "duration: 6h\nfailures:\n  - {at: 1h, partition: [publisher, subscriber], for: 90s, every: 10m, until: 2h}\n",
    ),
    (
        "kind given, a custom allocation and routing",
        "kind: voice_messaging\nduration: 1h\nphone_system:\n  allocation: {publisher: 8, subscriber: 12, phone_system: 20}\n  routing: least_busy\n",
    ),
    (
        "a lognormal hold time and spaced durations",
        "duration: 1d 2h\ntraffic:\n  calls_per_hour: 100\n  hold_time: {distribution: lognormal, mean: 1.5m, sd: 30s}\n",
    ),
    (
        "random failures with defaults",
        "duration: 365d\nrandom_failures:\n  crash: {mtbf: 2000h, mttr: 4h}\n  partition: {mtbf: 8000h, mttr: 15m, link: {from: subscriber, to: network}}\n  service: {mtbf: 4000h, mttr: 30m}\n",
    ),
    (
        "a ranged runbook step",
        "kind: persistent_chat\nduration: 6h\nchat: {posts_per_hour: 2000}\nrunbook:\n  decide: {min: 5m, max: 1h}\n  install_mirror: 20m\nfailures:\n  - {at: 2h07m30s, datacenter_down: primary}\n",
    ),
];

#[test]
fn valid_scenarios_in_every_hand_read_form_pass_both_the_parser_and_the_schema() {
    for (what, yaml) in ACCEPTED {
        if let Err(e) = parse_str("s.yaml", "s", yaml) {
            panic!("the parser refuses {what}: {e}\n{yaml}");
        }
        let errors = schema_errors(yaml);
        assert!(errors.is_empty(), "the schema refuses {what}: {errors:#?}\n{yaml}");
    }
}

#[test]
fn generated_valid_scenarios_conform_to_the_schema() {
    for case in 0..300 {
        let yaml = generate::scenario(case, 24);
        assert!(parse_str("g.yaml", "g", &yaml).is_ok(), "generated case {case} is invalid");
        let errors = schema_errors(&yaml);
        assert!(errors.is_empty(), "generated case {case} breaks the schema: {errors:#?}\n{yaml}");
    }
}

proptest! {
    #![proptest_config(crate::properties::cases(1000))]

    /// The schema never refuses what the parser accepts: an editor must not
    /// flag a scenario that runs.
    #[test]
    fn a_mutated_scenario_the_parser_accepts_the_schema_accepts(text in crate::properties::mutated()) {
        if parse_str("m.yaml", "m", &text).is_ok() {
            let errors = schema_errors(&text);
            prop_assert!(errors.is_empty(), "the schema refuses a valid scenario: {:#?}\n{}", errors, text);
        }
    }
}

/// A validator of durations alone: the schema's own `Duration` definition.
fn duration_validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::draft202012::new(&committed_schema()["$defs"]["Duration"]).expect("Duration compiles")
    })
}

#[test]
fn the_duration_pattern_accepts_exactly_what_the_parser_reads() {
    let valid = [
        "90s",
        "1h30m",
        "2h07m30s",
        "50ms",
        "1.5h",
        ".5h",
        "5.s",
        "0s",
        "00s",
        "1d 2h",
        " 1h ",
        "1\th",
        "1 0s",
        "1m s",
        "1h1ms",
        "1m5ms",
        "2d3h4m5s6ms",
        "0.000001s",
        "1.000000000000000000s",
        "36525d",
        "1\u{a0}h",
        "1\u{feff}h",
        "1h\u{3000}30m",
    ];
    let invalid = [
        "",
        " ",
        "90",
        "1.5",
        "-5s",
        "+5s",
        "5x",
        "5 min",
        "1H",
        "30m1h",
        "1h1h",
        "1s1s",
        "1ms1s",
        "s",
        "ms",
        "h5",
        "1..5s",
        "1.2.3s",
        ".s",
        "1h30",
        "1e3s",
        "1,5s",
        "1.0000000000000000000s",
        "1\u{85}h",
        "1h\u{200b}",
        "1h-30m",
    ];
    let schema = duration_validator();
    for text in valid {
        assert!(Duration::parse(text).is_ok(), "the parser refuses {text:?}");
        assert!(schema.is_valid(&Value::from(text)), "the pattern refuses {text:?}");
    }
    for text in invalid {
        assert!(Duration::parse(text).is_err(), "the parser accepts {text:?}");
        assert!(!schema.is_valid(&Value::from(text)), "the pattern accepts {text:?}");
    }
    // The two limits the pattern leaves to the parser (see `duration::pattern`).
    for text in ["0.0000001s", "99999999999999999d"] {
        assert!(Duration::parse(text).is_err() && schema.is_valid(&Value::from(text)), "{text:?}");
    }
    assert!(!schema.is_valid(&Value::from(3600)), "a bare number is not a duration");
}

proptest! {
    #![proptest_config(crate::properties::cases(3000))]

    /// Strings built from the pieces of durations, valid and not.
    #[test]
    fn the_duration_pattern_and_the_parser_agree_on_any_string_of_duration_pieces(
        pieces in prop::collection::vec(prop::sample::select(
            &["0", "1", "7", "12", ".", "5.", ".25", "d", "h", "m", "s", "ms", " ", "\t", "x", "-", "H"][..]), 0..8)
    ) {
        let text = pieces.concat();
        let parsed = Duration::parse(&text);
        // The two limits the pattern leaves to the parser.
        prop_assume!(!parsed.as_ref().is_err_and(|e| e.contains("too large")));
        let parsed = parsed.is_ok();
        let matched = duration_validator().is_valid(&Value::from(text.as_str()));
        prop_assert_eq!(parsed, matched, "{:?}: parser {} pattern {}", text, parsed, matched);
    }
}
