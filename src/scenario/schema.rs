//! The scenario format as a JSON Schema (draft 2020-12), derived from the very
//! serde types the parser reads, so that an editor with the YAML language
//! server completes keys, shows their documentation and flags mistakes.
//!
//! Each key's description is its doc comment; defaults come from the serde
//! defaults, `deny_unknown_fields` becomes `additionalProperties: false`, and
//! the types the parser reads by hand (durations, runbook steps, links, heal
//! targets) describe themselves. A new key needs only its doc comment.
//!
//! The schema checks keys, types, values and simple ranges. Relations between
//! keys (`timeout` longer than `interval`, an entry before `duration`, one
//! action per entry) are left to `clustersim validate`.

use super::{ChatScenario, VoiceScenario};
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::Value;
use std::borrow::Cow;

/// Either kind of scenario: `kind: persistent_chat` is a chat scenario,
/// anything else a voice one (whose `kind` may only be `voice_messaging`).
struct ScenarioFile;

impl JsonSchema for ScenarioFile {
    fn schema_name() -> Cow<'static, str> {
        "ScenarioFile".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "title": "clustersim scenario",
            "description": "A clustersim scenario: a voice-messaging cluster under failures (`kind: \
                voice_messaging`, the default) or a Persistent Chat database failed over by hand \
                (`kind: persistent_chat`). Durations carry a unit (30s, 1h30m); unknown keys are errors.",
            // `kind` chooses the branch, so a validator reports the mistakes
            // of the scenario's own kind only.
            "if": {"properties": {"kind": {"const": "persistent_chat"}}, "required": ["kind"]},
            "then": generator.subschema_for::<ChatScenario>(),
            "else": generator.subschema_for::<VoiceScenario>(),
        })
    }
}

/// The scenario format's JSON Schema.
pub fn schema() -> Schema {
    let mut schema =
        SchemaSettings::draft2020_12().for_deserialize().into_generator().into_root_schema_for::<ScenarioFile>();
    let root = schema.as_object_mut().expect("the root schema is an object");
    unwrap_descriptions(root);
    if let Some(Value::Object(defs)) = root.get_mut("$defs") {
        allow_empty_values(defs);
    }
    schema
}

/// The parser reads an empty value (`failures:` with every entry commented
/// out) as an empty mapping or list, so wherever `{}` or `[]` would do, an
/// empty value (null to a schema validator) does too.
fn allow_empty_values(defs: &mut serde_json::Map<String, Value>) {
    let empty_mapping_ok: Vec<String> = defs
        .iter()
        .filter(|(_, def)| def["type"] == "object" && def.get("required").is_none())
        .map(|(name, _)| format!("#/$defs/{name}"))
        .collect();
    let properties = defs.values_mut().filter_map(|def| def.get_mut("properties")?.as_object_mut());
    for property in properties.flat_map(|p| p.values_mut()).filter_map(Value::as_object_mut) {
        let reference = property.get("$ref").and_then(Value::as_str).map(str::to_string);
        if let Some(reference) = reference.filter(|r| empty_mapping_ok.contains(r)) {
            property.remove("$ref");
            property.insert("anyOf".into(), serde_json::json!([{"$ref": reference}, {"type": "null"}]));
        } else if property.get("type") == Some(&Value::from("array")) && property.get("minItems").is_none() {
            property.insert("type".into(), serde_json::json!(["array", "null"]));
        }
    }
}

/// Doc comments are wrapped at the source's width; a description reads as
/// one paragraph per blank-line-separated block.
fn unwrap_descriptions(object: &mut serde_json::Map<String, Value>) {
    for (key, value) in object.iter_mut() {
        match value {
            Value::String(text) if key == "description" => {
                *text = text.split("\n\n").map(|p| p.replace('\n', " ")).collect::<Vec<_>>().join("\n\n");
            }
            Value::Object(inner) => unwrap_descriptions(inner),
            Value::Array(items) => items.iter_mut().filter_map(Value::as_object_mut).for_each(unwrap_descriptions),
            _ => {}
        }
    }
}

/// The schema as `clustersim schema` prints it: pretty JSON and a newline.
pub fn schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).expect("a schema is plain JSON");
    text.push('\n');
    text
}
