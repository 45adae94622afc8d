//! Prints generated scenario CASE of HOURS hours (as used by the tests and
//! the `stress` example), to reproduce a failing case with `clustersim run`.
//!
//! cargo run --example gen -- 963 24 > case.yaml

#[path = "../tests/integration/generate.rs"]
mod generate;

fn main() {
    let arg =
        |i: usize| -> u64 { std::env::args().nth(i).and_then(|a| a.parse().ok()).expect("usage: gen CASE HOURS") };
    print!("{}", generate::scenario(arg(1), arg(2)));
}
