//! The `clustersim` command: parse the arguments, run, report failures.
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = clustersim::cli::Cli::parse();
    match clustersim::cli::main_with(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
