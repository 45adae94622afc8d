//! The documentation stands alone and stays true: every link in the README
//! and `docs/` resolves to a file inside the repository, the scenario
//! examples of `docs/scenarios.md` parse and run, the state diagram of
//! `docs/model.md` has exactly the edges the model allows, and every test the
//! docs cite exists.

use crate::common::*;
use clustersim::model::trace::NoTrace;
use clustersim::model::voice::allowed_transition;
use clustersim::scenario::{Scenario, Status, parse_str};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo().join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// The README and every page of `docs/`, as paths relative to the repository.
fn pages() -> Vec<String> {
    let mut pages = vec!["README.md".to_string()];
    for entry in std::fs::read_dir(repo().join("docs")).expect("docs/ exists") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(format!("docs/{}", path.file_name().unwrap().to_string_lossy()));
        }
    }
    pages.sort();
    assert!(pages.len() >= 4, "README and the three docs pages: {pages:?}");
    pages
}

/// The fenced code blocks of `text` whose info string is `lang`, with the
/// line (from 1) of each block's first line of code.
fn fenced(text: &str, lang: &str) -> Vec<(usize, String)> {
    let mut blocks = vec![];
    let mut open: Option<(usize, String, bool)> = None;
    for (i, line) in text.lines().enumerate() {
        let fence = line.trim_start().starts_with("```");
        match &mut open {
            None if fence => {
                let info = line.trim_start().trim_start_matches('`').trim();
                open = Some((i + 2, String::new(), info == lang));
            }
            None => {}
            Some((start, body, wanted)) if fence => {
                if *wanted {
                    blocks.push((*start, std::mem::take(body)));
                }
                open = None;
            }
            Some((_, body, _)) => {
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    assert!(open.is_none(), "a code block is never closed");
    blocks
}

/// `text` without its fenced blocks and inline code, where links are not links.
fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut in_block = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            let mut in_code = false;
            for c in line.chars() {
                if c == '`' {
                    in_code = !in_code;
                } else if !in_code {
                    out.push(c);
                }
            }
            out.push('\n');
        }
    }
    out
}

/// The targets of the inline links and images `[text](target)` of `text`.
fn link_targets(text: &str) -> Vec<String> {
    let prose = prose(text);
    let mut targets = vec![];
    let mut rest = prose.as_str();
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        let end = after.find(')').expect("a link target ends with `)`");
        targets.push(after[..end].trim().to_string());
        rest = &after[end..];
    }
    targets
}

/// The anchors a code host gives the headings of `text`: lower case, spaces
/// as `-`, punctuation other than `-` and `_` dropped.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut anchors = BTreeSet::new();
    let mut in_block = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
        }
        if in_block || !line.starts_with('#') {
            continue;
        }
        let title = line.trim_start_matches('#').trim();
        let slug: String = title
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                _ => None,
            })
            .collect();
        anchors.insert(slug);
    }
    anchors
}

/// `base/target` with `.` and `..` resolved, if it stays inside the repository.
fn inside_repo(base: &Path, target: &str) -> Option<PathBuf> {
    let mut parts: Vec<String> = vec![];
    for component in base.join(target).components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.iter().collect())
}

#[test]
fn every_link_in_the_readme_and_docs_resolves_inside_the_repository() {
    let mut checked = 0;
    for page in pages() {
        let text = read(&page);
        // A link out of the repository (a parent folder above its root, or a
        // web address) fails below: the pages point only at what a clone holds.
        let dir = Path::new(&page).parent().unwrap_or(Path::new(""));
        for target in link_targets(&text) {
            assert!(
                !target.contains("://") && !target.starts_with("mailto:"),
                "{page}: `{target}` leaves the repository"
            );
            let (path, fragment) = target.split_once('#').unwrap_or((&target, ""));
            let resolved = if path.is_empty() {
                PathBuf::from(&page)
            } else {
                inside_repo(dir, path).unwrap_or_else(|| panic!("{page}: `{target}` leads out of the repository"))
            };
            assert!(
                repo().join(&resolved).exists(),
                "{page}: `{target}` names {}, which does not exist",
                resolved.display()
            );
            if !fragment.is_empty() {
                assert!(resolved.extension().is_some_and(|e| e == "md"), "{page}: `{target}`: an anchor in a non-page");
                let anchors = anchors(&read(&resolved.to_string_lossy()));
                assert!(anchors.contains(fragment), "{page}: `{target}`: no heading makes #{fragment} ({anchors:?})");
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} links found: is the link reader broken?");
}

#[test]
fn every_yaml_block_of_the_scenario_docs_is_a_scenario_that_validates_and_runs() {
    let text = read("docs/scenarios.md");
    let blocks = fenced(&text, "yaml");
    assert!(blocks.len() >= 3, "the timeline tour and one example per kind: {} blocks", blocks.len());
    let (mut voice, mut chat) = (0, 0);
    for (line, yaml) in blocks {
        let label = format!("docs/scenarios.md (the yaml block at line {line})");
        let scenario = parse_str(&label, "docs-example", &yaml).unwrap_or_else(|e| panic!("{e}"));
        match &scenario {
            Scenario::Voice(_) => voice += 1,
            Scenario::Chat(_) => chat += 1,
        }
        // One replication with the invariant checker on: an example must run.
        clustersim::model::simulate(&scenario, 0, checked(), NoTrace).unwrap_or_else(|e| panic!("{label}: {e}"));
    }
    assert!(voice >= 2 && chat >= 1, "{voice} voice and {chat} chat examples");
}

/// The edges `from --> to` of the first Mermaid block of `docs/model.md`.
fn diagram_edges() -> Vec<(String, String)> {
    let text = read("docs/model.md");
    let (_, diagram) = fenced(&text, "mermaid").into_iter().next().expect("a Mermaid state diagram");
    assert!(diagram.starts_with("stateDiagram-v2"), "{diagram}");
    diagram
        .lines()
        .filter_map(|line| {
            let (from, rest) = line.split_once("-->")?;
            let to = rest.split(':').next().unwrap_or_default();
            Some((from.trim().to_string(), to.trim().to_string()))
        })
        .collect()
}

#[test]
fn the_state_diagram_has_exactly_the_edges_the_model_allows() {
    let edges = diagram_edges();
    let drawn: BTreeSet<(Status, Status)> = edges
        .iter()
        .filter(|(from, _)| from != "[*]")
        .map(|(from, to)| {
            let status = |s: &str| Status::parse(s).unwrap_or_else(|| panic!("`{s}` is not a status"));
            (status(from), status(to))
        })
        .collect();
    let allowed: BTreeSet<(Status, Status)> = Status::ALL
        .into_iter()
        .flat_map(|from| Status::ALL.into_iter().map(move |to| (from, to)))
        .filter(|(from, to)| allowed_transition(*from, *to))
        .collect();
    assert_eq!(drawn, allowed, "docs/model.md's diagram and allowed_transition disagree");
    // The initial statuses drawn are those a scenario may start in.
    let drawn_initial: BTreeSet<Status> =
        edges.iter().filter(|(from, _)| from == "[*]").map(|(_, to)| Status::parse(to).expect("a status")).collect();
    let may_start: BTreeSet<Status> = Status::ALL
        .into_iter()
        .filter(|s| {
            let yaml =
                format!("duration: 1h\ncluster: {{initial: {{publisher: {}, subscriber: primary}}}}\n", s.as_str());
            parse_str("initial.yaml", "initial", &yaml).is_ok()
        })
        .collect();
    assert_eq!(drawn_initial, may_start);
}

/// The `file.rs::test_name` citations of `text`: integration tests by their
/// file in `tests/integration/`, unit tests by their path from the repository.
fn citations(text: &str) -> Vec<(String, String)> {
    let mut found = vec![];
    let outside_blocks: Vec<&str> = text.split("\n```").step_by(2).collect();
    for span in outside_blocks.iter().flat_map(|part| part.split('`').skip(1).step_by(2)) {
        if let Some((file, name)) = span.split_once(".rs::") {
            let path =
                if file.starts_with("src/") { format!("{file}.rs") } else { format!("tests/integration/{file}.rs") };
            found.push((path, name.to_string()));
        }
    }
    found
}

#[test]
fn every_test_the_docs_cite_exists_and_every_rule_cites_one() {
    let mut cited = 0;
    for page in pages() {
        for (file, name) in citations(&read(&page)) {
            let source = read(&file);
            assert!(source.contains(&format!("fn {name}(")), "{page} cites `{name}`, which {file} does not define");
            cited += 1;
        }
    }
    assert!(cited >= 80, "only {cited} citations found");
    // Each rule's section of docs/model.md names at least one test.
    let model = read("docs/model.md");
    let rules: Vec<String> = (1..=21).map(|i| format!("R{i}")).chain((1..=5).map(|i| format!("C{i}"))).collect();
    for rule in rules {
        let heading = format!("\n### {rule} — ");
        let start = model.find(&heading).unwrap_or_else(|| panic!("docs/model.md has no section for {rule}"));
        let section = &model[start + heading.len()..];
        let section = &section[..section.find("\n#").unwrap_or(section.len())];
        let tests = section.split("Tests:").nth(1).map(citations).unwrap_or_default();
        assert!(!tests.is_empty(), "docs/model.md cites no test for {rule}");
    }
}
