//! The `clustersim` command: parse the arguments, run, report failures.
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = clustersim::cli::Cli::parse();
    // Ctrl-C asks the simulations to stop; the run then fails cleanly and its
    // staging folder is removed, so no half-written results remain.
    let _ = ctrlc::set_handler(clustersim::engine::request_stop);
    match clustersim::cli::main_with(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
