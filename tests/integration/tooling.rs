//! The tooling around the command line: shell completions that
//! load and complete, man pages that `man` renders, and the examples at the
//! end of each subcommand's help, which must keep working as the code moves.

use crate::common::*;
use clap::{CommandFactory, Parser};
use clustersim::cli::Cli;
use clustersim::experiment::{self, compare, size, sweep};
use clustersim::scenario::{self, Scenario};
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The subcommands a user can name (clap's own `help` aside).
fn subcommands() -> Vec<String> {
    Cli::command().get_subcommands().map(|s| s.get_name().to_string()).filter(|n| n != "help").collect()
}

fn stdout_of(args: &[&str]) -> String {
    let output = bin().args(args).output().expect("run clustersim");
    assert!(output.status.success(), "clustersim {args:?} failed: {}", stderr(&output));
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// Whether `program` runs here; tests that need it say so when it does not.
fn available(program: &str) -> bool {
    let found = Command::new(program).arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        println!("note: `{program}` is not installed; the check that needs it is skipped");
    }
    found
}

#[test]
fn completions_for_every_shell_name_every_subcommand() {
    assert!(subcommands().len() >= 9, "{:?}", subcommands());
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.len() > 1000, "{shell}: a script of {} bytes", script.len());
        for name in subcommands().iter().map(String::as_str).chain(["replications", "shard"]) {
            assert!(script.contains(name), "the {shell} completions do not mention {name}");
        }
    }
    let refused = bin().args(["completions", "tcsh"]).output().expect("run");
    assert_eq!(refused.status.code(), Some(2), "an unknown shell is a usage error");
}

#[test]
fn the_bash_completion_loads_and_completes_subcommands_and_options() {
    if !available("bash") {
        return;
    }
    let script = format!(
        "source <({bin} completions bash) && complete -p clustersim && \
         COMP_WORDS=(clustersim sw); COMP_CWORD=1; _clustersim clustersim sw clustersim; \
         echo \"subcommands: ${{COMPREPLY[*]}}\"; \
         COMP_WORDS=(clustersim run --rep); COMP_CWORD=2; _clustersim clustersim --rep run; \
         echo \"options: ${{COMPREPLY[*]}}\"",
        bin = env!("CARGO_BIN_EXE_clustersim")
    );
    let output = Command::new("bash").args(["-c", &script]).output().expect("run bash");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "bash: {}{text}", stderr(&output));
    assert!(text.contains("-F _clustersim") && text.contains(" clustersim\n"), "not registered: {text}");
    assert!(text.contains("subcommands: sweep\n"), "`clustersim sw<TAB>` should complete to sweep: {text}");
    assert!(text.contains("options: --replications\n"), "`run --rep<TAB>` should complete: {text}");
}

#[test]
fn man_writes_a_rendering_page_for_the_command_and_each_subcommand() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("man1");
    let listed = stdout_of(&["man", out.to_str().expect("path")]);
    let mut expected: Vec<String> = subcommands().iter().map(|s| format!("clustersim-{s}.1")).collect();
    expected.insert(0, "clustersim.1".into());
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .expect("man dir")
        .map(|e| e.expect("entry").file_name().into_string().unwrap())
        .collect();
    written.sort();
    let mut sorted = expected.clone();
    sorted.sort();
    assert_eq!(written, sorted);
    assert_eq!(listed.lines().count(), expected.len(), "one line per page written: {listed}");
    let man = available("man");
    for name in &expected {
        let page = std::fs::read_to_string(out.join(name)).expect("read page");
        let title = name.trim_end_matches(".1");
        let header = page.lines().find(|l| l.starts_with(".TH ")).unwrap_or_default();
        assert!(header.starts_with(&format!(".TH {title} 1 ")), "{name} has the header {header:?}");
        for section in [".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION"] {
            assert!(page.contains(section), "{name} has no {section}");
        }
        if name != "clustersim.1" {
            assert!(page.contains(".SH EXAMPLES\n"), "{name} has no examples");
        }
        if man {
            let rendered = Command::new("man")
                .args(["--warnings", "-l"])
                .arg(out.join(name))
                .env("MANWIDTH", "100")
                .env("MANPAGER", "cat")
                .output()
                .expect("run man");
            let text = String::from_utf8_lossy(&rendered.stdout);
            assert!(rendered.status.success(), "man -l {name}: {}", stderr(&rendered));
            assert!(stderr(&rendered).trim().is_empty(), "man -l {name} warns: {}", stderr(&rendered));
            assert!(text.contains("SYNOPSIS") && text.contains(title), "man -l {name} rendered:\n{text}");
        }
    }
}

#[test]
fn man_into_a_file_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").expect("write");
    let output = bin().arg("man").arg(&file).output().expect("run");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).starts_with("error: cannot create"), "{}", stderr(&output));
}

/// The example lines at the end of `clustersim SUB --help`.
fn help_examples(subcommand: &str) -> Vec<String> {
    let help = stdout_of(&[subcommand, "--help"]);
    let (_, tail) = help.split_once("\nExamples:\n").unwrap_or_else(|| panic!("{subcommand} --help has no examples"));
    let lines: Vec<String> = tail.lines().map(str::to_string).collect();
    assert!(
        lines.iter().all(|l| l.starts_with("  clustersim ")),
        "{subcommand} --help must end with its examples, one per line: {lines:?}"
    );
    lines.into_iter().map(|l| l.trim().to_string()).collect()
}

/// An example's arguments as a shell would pass them (up to a redirection
/// or a second command), globs expanded in folders that exist.
fn example_args(example: &str) -> Vec<String> {
    let mut args = vec![];
    for word in example.split_whitespace().take_while(|w| !matches!(*w, ">" | "&&" | "|")) {
        match word.split_once('*') {
            Some((prefix, suffix)) if repo().join(prefix).parent().is_some_and(Path::is_dir) => {
                let (dir, stem) = prefix.rsplit_once('/').expect("a glob in a folder");
                let mut matches: Vec<String> = std::fs::read_dir(repo().join(dir))
                    .expect("read dir")
                    .map(|e| e.expect("entry").file_name().into_string().unwrap())
                    .filter(|n| n.starts_with(stem) && n.ends_with(suffix))
                    .map(|n| format!("{dir}/{n}"))
                    .collect();
                matches.sort();
                assert!(!matches.is_empty(), "{word} matches nothing");
                args.extend(matches);
            }
            _ => args.push(word.to_string()),
        }
    }
    args
}

/// What the command does with its inputs before it runs anything, checked
/// without running: scenarios load, grids and strategies build, metrics exist.
fn check_inputs(example: &str, cli: Cli) {
    use clustersim::cli::Command as C;
    let load = |path: &PathBuf| -> Scenario {
        scenario::load(&repo().join(path)).unwrap_or_else(|e| panic!("{example}: {e}"))
    };
    let metrics_known = |s: &Scenario, metrics: &Option<Vec<String>>| {
        let known = experiment::metric_names(s);
        for m in metrics.iter().flatten() {
            assert!(known.contains(&m.as_str()), "{example}: unknown metric {m}");
        }
    };
    let grid = |path: &PathBuf, axes: &[sweep::Axis]| {
        let text = std::fs::read_to_string(repo().join(path)).expect("read");
        sweep::points("s.yaml", "s", &text, axes).unwrap_or_else(|e| panic!("{example}: {e:?}"));
    };
    match cli.command {
        C::Run(args) => {
            load(&args.scenario);
        }
        C::Validate { scenarios } => scenarios.iter().for_each(|s| {
            load(s);
        }),
        C::Compare(args) => {
            let s = load(&args.scenario);
            metrics_known(&s, &args.metrics);
            if args.set.is_empty() {
                compare::strategies(&s, args.integrations.as_deref()).unwrap_or_else(|e| panic!("{example}: {e}"));
            } else {
                grid(&args.scenario, &args.set);
            }
        }
        C::Sweep(args) => {
            metrics_known(&load(&args.scenario), &args.metrics);
            grid(&args.scenario, &args.set);
        }
        C::Size(args) => {
            let s = load(&args.scenario);
            size::check_targets(&args.targets, clustersim::scenario::Kind::of(&s))
                .unwrap_or_else(|e| panic!("{example}: {e}"));
            compare::strategies(&s, args.integrations.as_deref()).unwrap_or_else(|e| panic!("{example}: {e}"));
        }
        C::Chart { dir, .. } => assert!(repo().join(&dir).join("summary.json").is_file(), "{example}: no results"),
        C::Merge { .. } | C::Schema | C::Completions { .. } | C::Man { .. } => {}
    }
}

#[test]
fn every_example_in_the_help_parses_and_its_inputs_are_valid() {
    for subcommand in subcommands() {
        let examples = help_examples(&subcommand);
        assert!((2..=3).contains(&examples.len()), "{subcommand}: {} examples", examples.len());
        for example in examples {
            let args = example_args(&example);
            assert_eq!(args[..2], ["clustersim", subcommand.as_str()], "{example}");
            let cli = Cli::try_parse_from(&args).unwrap_or_else(|e| panic!("{example}:\n{e}"));
            check_inputs(&example, cli);
        }
    }
}
