//! `chart`: a results folder's charts and report redrawn from its data files.

use super::{Failure, display_path};
use crate::report::{
    self,
    charts::{self, ChartFormat},
};
use std::path::Path;

/// Redraws a results folder's charts from its data files alone.
pub(super) fn chart(dir: &Path, svg: bool, quiet: bool) -> Result<(), Failure> {
    if !dir.is_dir() {
        return Err(Failure::Invalid(format!("{} is not a results folder", dir.display())));
    }
    let format = if svg { ChartFormat::Svg } else { ChartFormat::Png };
    let mut drawn = charts::draw_dir(dir, format)?;
    if drawn.is_empty() {
        return Err(Failure::Invalid(format!("{} has no data files to draw charts from", dir.display())));
    }
    drawn.push(report::html::write(dir)?);
    for path in drawn.iter().filter(|_| !quiet) {
        println!("{}", display_path(path));
    }
    Ok(())
}
