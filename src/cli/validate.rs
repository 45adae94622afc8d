//! `validate`: scenarios checked without running them.

use super::Failure;
use crate::scenario;
use std::path::PathBuf;

fn plural_warnings(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => ", 1 warning".into(),
        n => format!(", {n} warnings"),
    }
}

pub(super) fn validate(paths: &[PathBuf]) -> Result<(), Failure> {
    let mut invalid = 0;
    for path in paths {
        match scenario::load_with_warnings(path) {
            Ok((s, warnings)) => {
                println!("ok: {} ({}){}", path.display(), s.name(), plural_warnings(warnings.len()));
                for w in warnings {
                    eprintln!("warning: {w}");
                }
            }
            // One file: its error is the one line (main prints it).
            Err(e) if paths.len() == 1 => return Err(Failure::Invalid(e.to_string())),
            Err(e) => {
                eprintln!("error: {e}");
                invalid += 1;
            }
        }
    }
    if invalid > 0 {
        return Err(Failure::Invalid(format!("{invalid} of {} scenario(s) are invalid", paths.len())));
    }
    Ok(())
}
