//! The help around the commands: the examples each subcommand's help ends
//! with, the man pages and the shell completion scripts.

use super::{Cli, Failure, display_path};
use anyhow::Context;
use clap::CommandFactory;
use std::path::Path;

/// Examples each subcommand's help ends with, on bundled scenarios (a test
/// parses every one, so they stay true).
pub fn examples(subcommand: &str) -> &'static [&'static str] {
    match subcommand {
        "run" => &[
            "clustersim run scenarios/publisher-crash.yaml --replications 50",
            "clustersim run scenarios/random-failures-year.yaml --replications 1000 --no-charts --out results/year",
            "clustersim run scenarios/random-failures-year.yaml --replications 10000 --shard 3/32 --out shards/s3 --quiet",
        ],
        "validate" => {
            &["clustersim validate scenarios/*.yaml", "clustersim validate scenarios/wan-partition-short.yaml"]
        }
        "compare" => &[
            "clustersim compare scenarios/publisher-outage.yaml",
            "clustersim compare scenarios/publisher-outage.yaml --integrations sccp,sip_trunk --replications 200",
            "clustersim compare scenarios/chat-datacenter-loss.yaml --set runbook.decide=5m,15m,1h",
        ],
        "sweep" => &[
            "clustersim sweep scenarios/publisher-outage.yaml --set phone_system.ports=8,12,16,24 \
             --set phone_system.integration=sccp,sip_trunk",
            "clustersim sweep scenarios/wan-partition-short.yaml --set cluster.keepalive.timeout=30s,45s,60s \
             --replications 200 --metrics split_brain_s,messages_failed",
        ],
        "size" => &[
            "clustersim size scenarios/publisher-outage.yaml --target blocking_probability<=0.01",
            "clustersim size scenarios/publisher-outage.yaml --target blocking_probability<=0.01 \
             --integrations sccp,sip_trunk --precision blocking_probability=0.002",
            "clustersim size scenarios/pimg-timg-busy-day.yaml --target calls_blocked<=5 --min 8 --max 64",
        ],
        "chart" => &["clustersim chart results/publisher-crash", "clustersim chart results/publisher-crash --svg"],
        "merge" => &[
            "clustersim merge shards/s0 shards/s1 shards/s2 shards/s3 --out results/year",
            "clustersim merge shards/s* --out results/year --no-charts",
        ],
        "schema" => &[
            "clustersim schema > schema/scenario.schema.json",
            "clustersim schema > scenario.schema.json && check-jsonschema --schemafile scenario.schema.json scenarios/*.yaml",
        ],
        "completions" => &[
            "clustersim completions bash > ~/.local/share/bash-completion/completions/clustersim",
            "clustersim completions zsh > ~/.zfunc/_clustersim",
            "clustersim completions fish > ~/.config/fish/completions/clustersim.fish",
        ],
        "man" => &["clustersim man ~/.local/share/man/man1", "clustersim man target/man"],
        _ => &[],
    }
}

pub(super) fn examples_help(subcommand: &str) -> String {
    let lines: Vec<String> = examples(subcommand).iter().map(|e| format!("  {e}")).collect();
    format!("Examples:\n{}", lines.join("\n"))
}

pub(super) fn print_bytes(bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(bytes).and_then(|()| stdout.flush()).context("cannot write to standard output")?;
    Ok(())
}

/// The completion script of `shell` for the whole command line.
pub fn completion_script(shell: clap_complete::Shell) -> Vec<u8> {
    let mut script = vec![];
    clap_complete::generate(shell, &mut Cli::command(), "clustersim", &mut script);
    script
}

/// The man pages, by file name: `clustersim.1`, then `clustersim-SUB.1` for
/// each subcommand, each ending with the subcommand's examples.
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    let mut cli = Cli::command().disable_help_subcommand(true);
    cli.build(); // names the subcommands `clustersim-run` and so on
    let mut pages = vec![man_page(cli.clone(), &[])];
    pages.extend(cli.get_subcommands().map(|sub| man_page(sub.clone(), examples(sub.get_name()))));
    pages
}

/// One man page: clap_mangen's sections, with an EXAMPLES section (instead
/// of its EXTRA, which would repeat the help's examples) before VERSION.
fn man_page(command: clap::Command, examples: &[&str]) -> (String, Vec<u8>) {
    let has_options = command.get_arguments().any(|a| !a.is_hide_set());
    let has_subcommands = command.has_subcommands();
    let source = format!("clustersim {}", env!("CARGO_PKG_VERSION"));
    let page = clap_mangen::Man::new(command.after_help(None::<&str>)).source(source);
    let render = |roff: &mut Vec<u8>| -> std::io::Result<()> {
        page.render_title(roff)?;
        page.render_name_section(roff)?;
        page.render_synopsis_section(roff)?;
        page.render_description_section(roff)?;
        if has_options {
            page.render_options_section(roff)?;
        }
        if has_subcommands {
            page.render_subcommands_section(roff)?;
        }
        roff.extend(examples_section(examples).into_bytes());
        page.render_version_section(roff)
    };
    let mut roff = vec![];
    render(&mut roff).expect("writing to memory cannot fail");
    (page.get_filename(), roff)
}

fn examples_section(examples: &[&str]) -> String {
    if examples.is_empty() {
        return String::new();
    }
    let mut section = roff::Roff::new();
    section.control("SH", ["EXAMPLES"]);
    for example in examples {
        section.control("PP", []).control("nf", []).text([roff::roman(*example)]).control("fi", []);
    }
    section.to_roff()
}

pub(super) fn man(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, page) in man_pages() {
        let path = dir.join(&name);
        std::fs::write(&path, page).with_context(|| format!("cannot write {}", path.display()))?;
        println!("{}", display_path(&path));
    }
    Ok(())
}
