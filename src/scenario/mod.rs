//! The scenario format: YAML in, a validated scenario out.
//!
//! Parse, then validate, then run: serde structs with `deny_unknown_fields` and
//! the defaults docs/scenarios.md documents; `validate()` for relations between fields. A
//! problem becomes a [`ScenarioError`] that names the file, the line and column,
//! and the key path, in one sentence.

pub mod chat;
pub mod duration;
mod link;
mod lint;
mod locate;
pub mod measure;
mod nesting;
mod read;
pub mod schema;
mod survey;
pub mod voice;
mod words;

pub use chat::ChatScenario;
pub use duration::Duration;
pub use read::{MAX_SCENARIO_BYTES, read_text};
pub use voice::*;

/// Deepest nesting of lists and mappings a scenario may have. The format
/// itself nests at most five levels (`failures`, an entry, `stop_service`,
/// its mapping); the limit leaves room for anchors, flow style and tools,
/// and keeps hostile texts from reaching the YAML parser.
pub const MAX_NESTING: usize = 32;
/// Most YAML nodes (each key, value and list item, aliases expanded) a
/// scenario may hold: enough for a timeline of some 25,000 entries, and it
/// keeps the memory of reading a scenario within a few tens of megabytes.
pub const MAX_NODES: u64 = 200_000;

use std::fmt;
use std::path::Path;

/// A problem with a scenario: where it is and what is wrong, in one sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ScenarioError {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, ":{line}:{column}")?;
        }
        match &self.key {
            Some(key) if !key.is_empty() => write!(f, ": `{key}` {}", self.message),
            _ => write!(f, ": {}", self.message),
        }
    }
}

impl ScenarioError {
    fn whole_file(file: &str, message: impl Into<String>) -> Self {
        ScenarioError { file: file.to_string(), line: None, column: None, key: None, message: message.into() }
    }
}

/// A validation problem, named by key path; located in the text by [`parse_str`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub key: String,
    pub message: String,
}

impl Invalid {
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        Invalid { key: key.into(), message: message.into() }
    }
}

/// The two kinds of scenario and model (R1–R21 and C1–C5, docs/model.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    VoiceMessaging,
    PersistentChat,
}

impl Kind {
    pub fn of(scenario: &Scenario) -> Kind {
        match scenario {
            Scenario::Voice(_) => Kind::VoiceMessaging,
            Scenario::Chat(_) => Kind::PersistentChat,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::VoiceMessaging => "voice_messaging",
            Kind::PersistentChat => "persistent_chat",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        [Kind::VoiceMessaging, Kind::PersistentChat].into_iter().find(|k| k.as_str() == text)
    }

    /// The metric names a run of this kind reports, in column order (docs/metrics.md).
    pub fn metric_names(self) -> Vec<&'static str> {
        match self {
            Kind::VoiceMessaging => crate::metrics::Metric::ALL.iter().map(|m| m.name()).collect(),
            Kind::PersistentChat => crate::metrics::CHAT.to_vec(),
        }
    }
}

/// A validated scenario of either kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Scenario {
    Voice(VoiceScenario),
    Chat(ChatScenario),
}

impl Scenario {
    pub fn name(&self) -> &str {
        let name = match self {
            Scenario::Voice(s) => &s.name,
            Scenario::Chat(s) => &s.name,
        };
        name.as_deref().unwrap_or("scenario")
    }

    /// The scenario's own master seed (`--seed` replaces it).
    pub fn seed(&self) -> u64 {
        match self {
            Scenario::Voice(s) => s.seed,
            Scenario::Chat(s) => s.seed,
        }
    }

    /// The scenario's own number of replications (`--replications` replaces it).
    pub fn replications(&self) -> u64 {
        match self {
            Scenario::Voice(s) => s.replications as u64,
            Scenario::Chat(s) => s.replications as u64,
        }
    }

    /// Replaces the master seed (`--seed`).
    pub fn set_seed(&mut self, seed: u64) {
        match self {
            Scenario::Voice(s) => s.seed = seed,
            Scenario::Chat(s) => s.seed = seed,
        }
    }

    /// The horizon and the warm-up (0s when none is given).
    pub fn duration_and_warmup(&self) -> (Duration, Duration) {
        match self {
            Scenario::Voice(s) => (s.duration, s.warmup.unwrap_or_default()),
            Scenario::Chat(s) => (s.duration, s.warmup.unwrap_or_default()),
        }
    }

    /// The measured window `[from, to)`: `window`, else from the
    /// warm-up to the end of the run.
    pub fn window(&self) -> (crate::engine::Time, crate::engine::Time) {
        match self {
            Scenario::Voice(s) => measure::window_of(s.duration, s.warmup, s.window),
            Scenario::Chat(s) => measure::window_of(s.duration, s.warmup, s.window),
        }
    }

    /// The scenario's `expect:` entries.
    pub fn expectations(&self) -> &[measure::Expectation] {
        match self {
            Scenario::Voice(s) => &s.expect,
            Scenario::Chat(s) => &s.expect,
        }
    }

    /// What one replication expects to simulate (calls or posts): the run's
    /// work, for refusing runs that could not finish.
    pub fn expected_work(&self) -> f64 {
        match self {
            Scenario::Voice(s) => s.expected_calls(),
            Scenario::Chat(s) => s.expected_posts(),
        }
    }

    /// The scenario with the key at dotted `path` (`phone_system.ports`) set
    /// to `value`, validated like any scenario; `label` names where the
    /// change comes from in an error (`--key phone_system.ports`).
    pub fn with_value(&self, label: &str, path: &str, value: serde_yaml::Value) -> Result<Scenario, ScenarioError> {
        let error = |message: String| ScenarioError {
            key: Some(path.to_string()),
            message,
            ..ScenarioError::whole_file(label, "")
        };
        let mut tree = match self {
            Scenario::Voice(s) => serde_yaml::to_value(s),
            Scenario::Chat(s) => serde_yaml::to_value(s),
        }
        .map_err(|e| error(e.to_string()))?;
        set_path(&mut tree, path, value).map_err(error)?;
        let unlocated = |e: serde_yaml::Error| {
            let mut error = from_serde(label, &e);
            (error.line, error.column) = (None, None);
            error
        };
        let located = |invalid: Invalid| ScenarioError {
            key: Some(invalid.key),
            message: invalid.message,
            ..ScenarioError::whole_file(label, "")
        };
        let stem = self.name().to_string();
        match self {
            Scenario::Voice(_) => {
                finish(serde_yaml::from_value::<VoiceScenario>(tree).map_err(unlocated)?, &stem, located)
            }
            Scenario::Chat(_) => {
                finish(serde_yaml::from_value::<ChatScenario>(tree).map_err(unlocated)?, &stem, located)
            }
        }
    }

    /// A scenario from its JSON form ([`Scenario::to_json`]), validated.
    pub fn from_json(value: &serde_json::Value) -> Result<Scenario, String> {
        let invalid = |i: Invalid| format!("{}: {}", i.key, i.message);
        let scenario = match value.get("kind").and_then(|k| k.as_str()) {
            Some("persistent_chat") => {
                Scenario::Chat(<ChatScenario as serde::Deserialize>::deserialize(value).map_err(|e| e.to_string())?)
            }
            _ => Scenario::Voice(<VoiceScenario as serde::Deserialize>::deserialize(value).map_err(|e| e.to_string())?),
        };
        match &scenario {
            Scenario::Voice(s) => s.validate().map_err(invalid)?,
            Scenario::Chat(s) => s.validate().map_err(invalid)?,
        }
        Ok(scenario)
    }

    /// The scenario as JSON (to tell whether shards belong to one run).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Scenario::Voice(s) => serde_json::to_value(s),
            Scenario::Chat(s) => serde_json::to_value(s),
        }
        .unwrap_or_default()
    }
}

/// What parsing needs from each kind of scenario.
trait Format: serde::de::DeserializeOwned {
    fn validate(&self) -> Result<(), Invalid>;
    fn name_mut(&mut self) -> &mut Option<String>;
    fn wrap(self) -> Scenario;
}

impl Format for VoiceScenario {
    fn validate(&self) -> Result<(), Invalid> {
        VoiceScenario::validate(self)
    }
    fn name_mut(&mut self) -> &mut Option<String> {
        &mut self.name
    }
    fn wrap(self) -> Scenario {
        Scenario::Voice(self)
    }
}

impl Format for ChatScenario {
    fn validate(&self) -> Result<(), Invalid> {
        ChatScenario::validate(self)
    }
    fn name_mut(&mut self) -> &mut Option<String> {
        &mut self.name
    }
    fn wrap(self) -> Scenario {
        Scenario::Chat(self)
    }
}

/// Validates a deserialised scenario and gives it its name.
fn finish<S: Format>(
    mut scenario: S,
    stem: &str,
    located: impl Fn(Invalid) -> ScenarioError,
) -> Result<Scenario, ScenarioError> {
    scenario.validate().map_err(&located)?;
    let name = scenario.name_mut().clone().unwrap_or_else(|| sanitize_name(stem));
    check_name(&name).map_err(&located)?;
    *scenario.name_mut() = Some(name);
    Ok(scenario.wrap())
}

/// The warnings of a valid scenario, located in its text.
pub fn warnings(file: &str, text: &str, scenario: &Scenario) -> Vec<ScenarioError> {
    let Scenario::Voice(voice) = scenario else { return vec![] };
    let lints = lint::lints(voice);
    if lints.is_empty() {
        return vec![];
    }
    let positions = locate::positions_of(text, lints.iter().map(|w| w.key.as_str()));
    lints
        .into_iter()
        .map(|w| {
            let position = locate::locate(&positions, &w.key);
            ScenarioError {
                file: file.to_string(),
                line: position.map(|p| p.0),
                column: position.map(|p| p.1),
                key: Some(w.key),
                message: w.message,
            }
        })
        .collect()
}

/// Reads and validates the scenario at `path`, with its warnings.
pub fn load_with_warnings(path: &Path) -> Result<(Scenario, Vec<ScenarioError>), ScenarioError> {
    let text = read_text(path)?;
    let scenario = parse_str(&path.display().to_string(), &stem_of(path), &text)?;
    let warnings = warnings(&path.display().to_string(), &text, &scenario);
    Ok((scenario, warnings))
}

/// Reads and validates the scenario at `path`.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = read_text(path)?;
    parse_str(&path.display().to_string(), &stem_of(path), &text)
}

/// The file name without its extension: a scenario's default name.
pub fn stem_of(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

fn at(file: &str, (line, column): (usize, usize), message: String) -> ScenarioError {
    ScenarioError { line: Some(line), column: Some(column), ..ScenarioError::whole_file(file, message) }
}

fn nodes_words() -> String {
    format!(
        "holds more than {MAX_NODES} YAML nodes (keys, values and list items), the most a scenario may hold; \
         repeat timeline entries with `every` rather than listing them"
    )
}

fn aliases_words() -> String {
    format!(
        "uses YAML aliases that expand to more than {MAX_NODES} nodes; anchors and aliases (&a / *a) may not \
         multiply the document"
    )
}

fn depth_words() -> String {
    format!("nests lists and mappings deeper than {MAX_NESTING} levels, the most a scenario may (it needs about five)")
}

/// The limits that keep reading a scenario bounded in time and memory,
/// checked before serde_yaml sees the text: nesting and nodes, first by a linear scan that reads the
/// text as libyaml does, then exactly, with aliases expanded, by the survey.
/// Returns the root's `kind` when it could be read.
fn guard(file: &str, text: &str) -> Result<survey::Survey, ScenarioError> {
    // The scan may count up to twice the real depth, plus one (collections
    // that might be keys count the mapping they might open): past this bound
    // the real depth is past MAX_NESTING for certain.
    let scan_depth = 2 * MAX_NESTING + 1;
    nesting::check(text, scan_depth, MAX_NODES as usize).map_err(|excess| match excess {
        nesting::Excess::Depth(p) => at(file, p, depth_words()),
        nesting::Excess::Nodes(p) => at(file, p, nodes_words()),
    })?;
    survey::survey(text, MAX_NESTING, MAX_NODES).map_err(|excess| match excess {
        survey::Excess::Depth(p) => at(file, p, depth_words()),
        survey::Excess::Nodes(p) => at(file, p, nodes_words()),
        survey::Excess::Aliases(p) => at(file, p, aliases_words()),
    })
}

/// The `kind` of a text yaml-rust2 could not read, by serde_yaml's reading
/// (which then reports any syntax error itself).
fn kind_by_serde(file: &str, text: &str) -> Result<Option<Option<String>>, ScenarioError> {
    #[derive(serde::Deserialize)]
    struct KindOnly {
        #[serde(default)]
        kind: Option<serde_yaml::Value>,
    }
    let found: KindOnly = serde_yaml::from_str(text).map_err(|e| located_serde(file, text, &e))?;
    Ok(found.kind.map(|k| k.as_str().map(str::to_string)))
}

/// Parses and validates scenario `text`, read from `file` (used in messages);
/// `stem` names the scenario when it has no `name`.
pub fn parse_str(file: &str, stem: &str, text: &str) -> Result<Scenario, ScenarioError> {
    if text.trim().is_empty() || text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        return Err(ScenarioError::whole_file(file, "is empty; a scenario needs at least `duration`"));
    }
    read::check_characters(file, text)?;
    let kind = match guard(file, text)? {
        survey::Survey::Mapping { kind } => kind,
        survey::Survey::NotMapping => {
            return Err(ScenarioError::whole_file(file, "must be a mapping of keys such as `duration:`"));
        }
        survey::Survey::Unreadable => kind_by_serde(file, text)?,
    };
    let located = |invalid: Invalid| {
        let positions = locate::positions_of(text, [invalid.key.as_str()]);
        let position = locate::locate(&positions, &invalid.key);
        ScenarioError {
            file: file.to_string(),
            line: position.map(|p| p.0),
            column: position.map(|p| p.1),
            key: Some(invalid.key),
            message: invalid.message,
        }
    };
    let parse_error = |e: serde_yaml::Error| located_serde(file, text, &e);
    match kind.as_ref().map(|k| k.as_deref()) {
        None | Some(Some("voice_messaging")) => {
            finish(serde_yaml::from_str::<VoiceScenario>(text).map_err(parse_error)?, stem, located)
        }
        Some(Some("persistent_chat")) => {
            finish(serde_yaml::from_str::<ChatScenario>(text).map_err(parse_error)?, stem, located)
        }
        _ => Err(located(Invalid::new("kind", "must be voice_messaging or persistent_chat"))),
    }
}

/// A `--set KEY=VALUE` override of a scenario key, by dotted path
/// (`cluster.keepalive.timeout`, `failures[0].for`); the value is YAML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub key: String,
    pub value: String,
}

impl std::fmt::Display for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.key, self.value)
    }
}

/// Parses `text` as [`parse_str`] does, then applies `overrides` and validates
/// the result like any scenario. An error names the overrides it comes with.
pub fn parse_with_overrides(
    file: &str,
    stem: &str,
    text: &str,
    overrides: &[Override],
) -> Result<Scenario, ScenarioError> {
    let base = parse_str(file, stem, text)?;
    if overrides.is_empty() {
        return Ok(base);
    }
    let label =
        format!("{file} (with --set {})", overrides.iter().map(|o| o.to_string()).collect::<Vec<_>>().join(" --set "));
    let mut value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| from_serde(file, &e))?;
    for o in overrides {
        let new: serde_yaml::Value = serde_yaml::from_str(&o.value).map_err(|e| ScenarioError {
            key: Some(o.key.clone()),
            message: format!("has a value that is not YAML ({e})"),
            ..ScenarioError::whole_file(&label, "")
        })?;
        set_path(&mut value, &o.key, new).map_err(|message| ScenarioError {
            key: Some(o.key.clone()),
            message,
            ..ScenarioError::whole_file(&label, "")
        })?;
    }
    let located = |invalid: Invalid| {
        let overridden = overrides.iter().any(|o| normalize_path(&o.key) == invalid.key);
        let positions = locate::positions_of(text, [invalid.key.as_str()]);
        let position = if overridden { None } else { locate::locate(&positions, &invalid.key) };
        ScenarioError {
            file: label.clone(),
            line: position.map(|p| p.0),
            column: position.map(|p| p.1),
            key: Some(invalid.key),
            message: invalid.message,
        }
    };
    let unlocated = |e: serde_yaml::Error| {
        let mut error = from_serde(&label, &e);
        (error.line, error.column) = (None, None);
        error
    };
    match base {
        Scenario::Voice(_) => finish(serde_yaml::from_value::<VoiceScenario>(value).map_err(unlocated)?, stem, located),
        Scenario::Chat(_) => finish(serde_yaml::from_value::<ChatScenario>(value).map_err(unlocated)?, stem, located),
    }
}

/// `failures.0.for` and `failures[0].for` are the same key; the second is canonical.
fn normalize_path(key: &str) -> String {
    let mut out = String::new();
    for part in key.split('.') {
        if !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(part);
        }
    }
    out
}

/// Sets the key at dotted `path` in `root` to `new`, creating maps on the way.
fn set_path(root: &mut serde_yaml::Value, path: &str, new: serde_yaml::Value) -> Result<(), String> {
    use serde_yaml::Value;
    let normalized = normalize_path(path);
    let mut steps: Vec<(String, Option<usize>)> = vec![];
    for part in normalized.split('.') {
        let (name, rest) = part.split_once('[').unwrap_or((part, ""));
        if name.is_empty() {
            return Err("is not a key path such as cluster.keepalive.timeout".into());
        }
        steps.push((name.to_string(), None));
        for index in rest.split('[').filter(|r| !r.is_empty()) {
            let i = index.trim_end_matches(']').parse().map_err(|_| format!("has a bad index `[{index}`"))?;
            steps.push((String::new(), Some(i)));
        }
    }
    let mut node = root;
    for (name, index) in steps {
        node = match index {
            None => {
                if node.is_null() {
                    *node = Value::Mapping(Default::default());
                }
                let Value::Mapping(map) = node else {
                    return Err(format!("cannot be set: `{name}`'s parent is not a mapping"));
                };
                map.entry(Value::String(name)).or_insert(Value::Null)
            }
            Some(i) => {
                let Value::Sequence(items) = node else {
                    return Err(format!("cannot be set: index [{i}] of something that is not a list"));
                };
                let len = items.len();
                items.get_mut(i).ok_or_else(|| format!("cannot be set: the list has {len} entries"))?
            }
        };
    }
    *node = new;
    Ok(())
}

/// A file stem made fit to name a results folder.
fn sanitize_name(stem: &str) -> String {
    let cleaned: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' { c } else { '-' })
        .collect();
    let cleaned = cleaned.trim_start_matches('.').to_string();
    if cleaned.is_empty() { "scenario".into() } else { cleaned }
}

/// A scenario name becomes a folder under `results/`: keep it to one plain path segment.
fn check_name(name: &str) -> Result<(), Invalid> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(Invalid::new(
            "name",
            "must be 1 to 100 letters, digits, `-`, `_` or `.`, not starting with `.` (it names the results folder)",
        ))
    }
}

/// [`from_serde`], and for a duplicate key (which serde_yaml places at the
/// start of its mapping) the position of the key's second appearance.
fn located_serde(file: &str, text: &str, e: &serde_yaml::Error) -> ScenarioError {
    let mut error = from_serde(file, e);
    let text_of_error = e.to_string();
    if (text_of_error.contains("duplicate entry with key") || text_of_error.contains("duplicate field `"))
        && let Some((key, (line, column))) = locate::first_duplicate(text)
    {
        (error.line, error.column, error.key) = (Some(line), Some(column), Some(key));
        error.message = "appears twice in the same mapping".into();
    }
    error
}

/// Turns a serde_yaml error into one located sentence: the path serde_yaml puts
/// in front of its message becomes the key, and an unknown key gets the nearest
/// valid one as a suggestion.
fn from_serde(file: &str, error: &serde_yaml::Error) -> ScenarioError {
    let location = error.location();
    let mut text = error.to_string();
    if let Some(start) = text.find(" at line ") {
        let rest = &text[start + " at line ".len()..];
        let end = rest
            .find(" column ")
            .map(|c| {
                let after = &rest[c + " column ".len()..];
                c + " column ".len() + after.find(|ch: char| !ch.is_ascii_digit()).unwrap_or(after.len())
            })
            .unwrap_or(0);
        text = format!("{}{}", &text[..start], &rest[end..]);
    }
    let (mut key, mut message) = split_path(&text);
    if let Some((field, expected)) = unknown_name(&message, "unknown field `") {
        key = Some(match key {
            Some(k) => format!("{k}.{field}"),
            None => field.clone(),
        });
        message = match nearest(&field, &expected) {
            Some(best) => format!("is not a known key; did you mean {best}?"),
            None => format!("is not a known key; expected one of {}", expected.join(", ")),
        };
    } else if let Some((value, expected)) = unknown_name(&message, "unknown variant `") {
        message = match nearest(&value, &expected) {
            Some(best) => format!("has unknown value `{value}`; did you mean {best}?"),
            None => format!("has unknown value `{value}`; expected one of {}", expected.join(", ")),
        };
    } else if let Some(field) = message.strip_prefix("missing field `").and_then(|r| r.strip_suffix('`')) {
        key = Some(match key {
            Some(k) => format!("{k}.{field}"),
            None => field.to_string(),
        });
        message = "is required but missing".into();
    } else if let Some(words) = words::type_message(key.as_deref(), &message) {
        message = words;
    } else if let Some(words) = parser_limit_words(&message) {
        message = words;
    } else if key.is_some() {
        message = format!("is invalid: {message}");
    }
    ScenarioError {
        file: file.to_string(),
        line: location.as_ref().map(|l| l.line()),
        column: location.as_ref().map(|l| l.column()),
        key,
        message,
    }
}

/// serde_yaml's own limits, said as clustersim's (the guard usually refuses
/// such texts first).
fn parser_limit_words(message: &str) -> Option<String> {
    Some(match message {
        "repetition limit exceeded" => aliases_words(),
        "recursion limit exceeded" => depth_words(),
        "deserializing from YAML containing more than one document is not supported" => {
            "holds more than one YAML document (a second `---`); a scenario is one document".into()
        }
        _ => return None,
    })
}

/// Splits serde_yaml's `path: message` form.
fn split_path(text: &str) -> (Option<String>, String) {
    if let Some((head, tail)) = text.split_once(": ") {
        let is_path = !head.is_empty()
            && head.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'))
            && !head.starts_with("invalid")
            && !head.starts_with("unknown");
        if is_path {
            return (Some(head.to_string()), tail.to_string());
        }
    }
    (None, text.to_string())
}

/// For "unknown field `x`, expected one of `a`, `b`": the name and the expected list.
fn unknown_name(message: &str, prefix: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix(prefix)?;
    let (name, rest) = rest.split_once('`')?;
    let expected = rest.split('`').skip(1).step_by(2).map(str::to_string).collect();
    Some((name.to_string(), expected))
}

/// The likely intended name(s) for a misspelt `name`: every expected name it
/// is a prefix of, else the nearest within a small edit distance.
fn nearest(name: &str, expected: &[String]) -> Option<String> {
    let quoted = |names: Vec<&String>| names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" or ");
    let extensions: Vec<&String> = expected.iter().filter(|e| name.len() >= 2 && e.starts_with(name)).collect();
    if !extensions.is_empty() {
        return Some(quoted(extensions));
    }
    expected
        .iter()
        .map(|e| (strsim::damerau_levenshtein(name, e), e))
        .filter(|(d, e)| *d <= 2.max(e.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, e)| format!("`{e}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> ScenarioError {
        parse_str("s.yaml", "s", text).unwrap_err()
    }

    #[test]
    fn unknown_keys_are_located_and_get_a_suggestion() {
        let e = err("duration: 1h\ntrafic:\n  calls_per_hour: 3\n");
        assert_eq!((e.line, e.column), (Some(2), Some(1)));
        assert_eq!(e.key.as_deref(), Some("trafic"));
        assert_eq!(e.to_string(), "s.yaml:2:1: `trafic` is not a known key; did you mean `traffic`?");
        let e = err("duration: 1h\ntraffic:\n  hold_time: {mean: 3s, sdd: 1s}\n");
        assert_eq!(e.key.as_deref(), Some("traffic.hold_time.sdd"));
        assert!(e.message.contains("did you mean `sd`"), "{e}");
    }

    #[test]
    fn validation_errors_point_at_their_key() {
        let e = err("duration: 1h\ntraffic:\n  leave_message: 1.5\n");
        assert_eq!(e.to_string(), "s.yaml:3:3: `traffic.leave_message` must be a fraction between 0 and 1, not 1.5");
        let e = err("duration: 1h\nfailures:\n  - {at: 2h, crash: publisher}\n");
        assert_eq!(e.key.as_deref(), Some("failures[0].at"));
        assert_eq!((e.line, e.column), (Some(3), Some(6)));
    }

    #[test]
    fn durations_need_units() {
        let e = err("duration: 3600\n");
        assert_eq!(e.key.as_deref(), Some("duration"));
        assert!(e.message.contains("needs a unit"), "{e}");
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn overrides_set_nested_keys_and_are_validated() {
        let text = "duration: 2h\nfailures:\n  - {at: 1h, crash: publisher, for: 10m}\n";
        let set = |key: &str, value: &str| Override { key: key.into(), value: value.into() };
        let Ok(Scenario::Voice(s)) = parse_with_overrides(
            "s.yaml",
            "s",
            text,
            &[set("cluster.keepalive.timeout", "30s"), set("failures.0.for", "5m"), set("phone_system.ports", "8")],
        ) else {
            panic!("overrides")
        };
        assert_eq!(s.cluster.keepalive.timeout, Duration::from_secs(30));
        assert_eq!(s.failures[0].for_, Some(Duration::from_mins(5)));
        assert_eq!(s.phone_system.ports, 8);
        let e = parse_with_overrides("s.yaml", "s", text, &[set("cluster.keepalive.timeout", "10s")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "s.yaml (with --set cluster.keepalive.timeout=10s): `cluster.keepalive.timeout` must be longer than \
             the keepalive interval (15s)"
        );
        let e = parse_with_overrides("s.yaml", "s", text, &[set("trafic.calls_per_hour", "3")]).unwrap_err();
        assert!(e.message.contains("did you mean `traffic`"), "{e}");
        let e = parse_with_overrides("s.yaml", "s", text, &[set("failures[3].at", "1m")]).unwrap_err();
        assert!(e.message.contains("has 1 entries"), "{e}");
        let e = parse_with_overrides("s.yaml", "s", text, &[set("duration", "30m")]).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("failures[0].at"));
        assert_eq!(e.line, Some(3), "a key not overridden keeps its place in the file");
    }

    #[test]
    fn names_stay_one_path_segment() {
        let e = err("name: ../../etc\nduration: 1h\n");
        assert_eq!(e.key.as_deref(), Some("name"));
        let Ok(Scenario::Voice(s)) = parse_str("a b.yaml", "a b", "duration: 1h\n") else { panic!("parse") };
        assert_eq!(s.name.as_deref(), Some("a-b"));
    }

    /// Every key of both kinds, with each wrong type of value: the message
    /// speaks of numbers, text, lists and mappings, never of Rust types.
    #[test]
    fn type_errors_never_speak_the_parsers_words() {
        let voice = "duration: 1h\nfailures:\n  - {at: 1m, partition: [publisher, subscriber]}\n  \
            - {at: 2m, stop_service: {server: publisher, service: database}}\n  \
            - {at: 3m, admin: {server: subscriber, action: deactivate}}\n  - {at: 4m, heal: [publisher, network]}\n\
            random_failures:\n  crash: {mtbf: 100h, mttr: 1h, servers: [publisher]}\n  \
            partition: {mtbf: 100h, mttr: 1h, link: [publisher, subscriber]}\n  \
            service: {mtbf: 100h, mttr: 1h, servers: [subscriber]}\n\
            phone_system: {allocation: {publisher: 8, subscriber: 8}}\n\
            traffic: {hourly_profile: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}\n";
        let voice_keys = [
            "name",
            "description",
            "duration",
            "warmup",
            "seed",
            "replications",
            "cluster",
            "cluster.keepalive",
            "cluster.keepalive.interval",
            "cluster.keepalive.timeout",
            "cluster.takeover",
            "cluster.starting",
            "cluster.replicating",
            "cluster.split_brain_recovery",
            "cluster.split_brain_recovery_per_message",
            "cluster.message_store_unmount",
            "cluster.delivery_per_second",
            "cluster.publisher_reclaims_primary",
            "cluster.initial",
            "cluster.initial.publisher",
            "cluster.initial.subscriber",
            "phone_system",
            "phone_system.integration",
            "phone_system.ports",
            "phone_system.allocation",
            "phone_system.allocation.publisher",
            "phone_system.allocation.subscriber",
            "phone_system.allocation.phone_system",
            "phone_system.routing",
            "phone_system.overflow",
            "phone_system.dead_server_detect",
            "traffic",
            "traffic.calls_per_hour",
            "traffic.hourly_profile",
            "traffic.hourly_profile[0]",
            "traffic.hold_time",
            "traffic.hold_time.distribution",
            "traffic.hold_time.mean",
            "traffic.hold_time.sd",
            "traffic.leave_message",
            "failures",
            "failures[0]",
            "failures[0].at",
            "failures[0].for",
            "failures[0].every",
            "failures[0].until",
            "failures[0].crash",
            "failures[0].restart",
            "failures[0].partition",
            "failures[0].partition[0]",
            "failures[0].isolate",
            "failures[3].heal",
            "failures[3].heal[1]",
            "failures[1].stop_service",
            "failures[1].stop_service.server",
            "failures[1].stop_service.service",
            "failures[1].start_service",
            "failures[2].admin",
            "failures[2].admin.server",
            "failures[2].admin.action",
            "failures[0].replicate",
            "random_failures",
            "random_failures.crash",
            "random_failures.crash.mtbf",
            "random_failures.crash.mttr",
            "random_failures.crash.servers",
            "random_failures.crash.servers[0]",
            "random_failures.partition",
            "random_failures.partition.link",
            "random_failures.partition.link[0]",
            "random_failures.service",
            "random_failures.service.service",
            "random_failures.service.servers",
        ];
        let chat = "kind: persistent_chat\nduration: 6h\nchat: {posts_per_hour: 10}\n\
            failures: [{at: 1h, datacenter_down: primary}]\nrunbook: {install_mirror: {min: 1m, max: 2m}}\n";
        let mut chat_keys = vec![
            "name",
            "description",
            "duration",
            "seed",
            "replications",
            "chat",
            "chat.posts_per_hour",
            "log_shipping",
            "log_shipping.backup_interval",
            "log_shipping.copy_interval",
            "log_shipping.restore_interval",
            "backup_share_survives",
            "compliance",
            "compliance.adapter_interval",
            "runbook",
            "runbook.install_mirror.min",
            "runbook.install_mirror.max",
            "failures",
            "failures[0]",
            "failures[0].at",
            "failures[0].datacenter_down",
        ];
        let steps = chat::Runbook::default().steps().map(|(name, _)| format!("runbook.{name}"));
        chat_keys.extend(steps.iter().map(String::as_str));
        let values = [
            "lots",
            "5",
            "-1",
            "1.5",
            "true",
            "[a]",
            "{a: 1}",
            "~",
            "18446744073709551616",
            "1e400",
            "99999999999999999999999",
        ];
        let forbidden = [
            "f64",
            "u32",
            "u64",
            "u128",
            "struct",
            "enum ",
            "a sequence",
            "YAML tag",
            "any YAML value",
            "invalid type",
            "invalid value",
            "a map,",
            "unit value",
            "floating point",
            "a boolean",
        ];
        let mut checked = 0;
        for (base, keys) in [(voice, voice_keys.to_vec()), (chat, chat_keys)] {
            parse_str("s.yaml", "s", base).expect("the base scenario is valid");
            for key in keys {
                for raw in values {
                    let mut value: serde_yaml::Value = serde_yaml::from_str(base).unwrap();
                    set_path(&mut value, key, serde_yaml::Value::String("PLACEHOLDER".into())).expect(key);
                    let text = serde_yaml::to_string(&value).unwrap().replace("PLACEHOLDER", raw);
                    if let Err(e) = parse_str("s.yaml", "s", &text) {
                        let line = e.to_string();
                        for word in forbidden {
                            assert!(!line.contains(word), "{key}: {raw}: {line}");
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 800, "only {checked} errors checked");
    }
}
