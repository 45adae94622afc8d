//! `sweep`: a full grid over dotted scenario keys. Every grid point is
//! validated like a scenario before anything runs, and every point uses the
//! same master seed, so points differ only by what was swept.

use super::{RunError, RunOutput, RunSpec};
use crate::scenario::{Override, Scenario, ScenarioError, parse_with_overrides};

/// Most grid points one sweep may have.
pub const MAX_POINTS: usize = 10_000;

/// One `--set KEY=V1,V2,...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    pub key: String,
    pub values: Vec<String>,
}

/// Splits on commas that are not inside brackets or braces, so a value may be
/// a YAML list (`--set failures[0].partition=[publisher,network],[publisher,subscriber]`).
fn split_values(text: &str) -> Vec<String> {
    let (mut parts, mut depth, mut current) = (vec![], 0i32, String::new());
    for c in text.chars() {
        match c {
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current).trim().to_string());
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current.trim().to_string());
    parts
}

impl std::str::FromStr for Axis {
    type Err = String;
    fn from_str(arg: &str) -> Result<Axis, String> {
        let (key, values) = arg.split_once('=').ok_or("expected KEY=V1,V2,... e.g. phone_system.ports=8,16,24")?;
        let key = key.trim().to_string();
        if key.is_empty() {
            return Err("the key before `=` is empty".into());
        }
        let values = split_values(values);
        if values.iter().any(|v| v.is_empty()) {
            return Err(format!("`{key}` has an empty value"));
        }
        Ok(Axis { key, values })
    }
}

/// The grid's points in order, the first axis varying slowest.
pub fn grid(axes: &[Axis]) -> Vec<Vec<String>> {
    let mut points: Vec<Vec<String>> = vec![vec![]];
    for axis in axes {
        points = points
            .into_iter()
            .flat_map(|p| {
                axis.values.iter().map(move |v| {
                    let mut next = p.clone();
                    next.push(v.clone());
                    next
                })
            })
            .collect();
    }
    points
}

/// A grid point: its values (in axis order) and its validated scenario.
#[derive(Debug, Clone)]
pub struct Point {
    pub values: Vec<String>,
    pub scenario: Scenario,
}

/// Why a sweep's grid is refused.
#[derive(Debug, thiserror::Error)]
pub enum GridError {
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    #[error("{0}")]
    Grid(String),
}

/// Scenario keys that are not model parameters, and what to use instead:
/// a grid over them would label identical runs as different (every point
/// runs with the command's seed and replications) or mislabel the results.
fn not_a_parameter(key: &str) -> Option<&'static str> {
    Some(match key {
        "seed" => "give the master seed with --seed N (every point and strategy runs with it)",
        "replications" => "give the number of replications with --replications N",
        "kind" => "it chooses the model; write a scenario of the other kind instead",
        "name" | "description" => "it only names the results; choose the folder with --out",
        _ => return None,
    })
}

/// Refuses a key that is not a model parameter (`seed`, `kind`, …), saying
/// what to use instead.
pub fn check_parameter(key: &str) -> Result<(), String> {
    match not_a_parameter(key) {
        Some(instead) => Err(format!("`{key}` is not a model parameter; {instead}")),
        None => Ok(()),
    }
}

/// Refuses keys that are not model parameters, keys given twice and values
/// given twice in one `--set`.
fn check_axes(axes: &[Axis]) -> Result<(), GridError> {
    for (i, axis) in axes.iter().enumerate() {
        check_parameter(&axis.key).map_err(GridError::Grid)?;
        if axes[..i].iter().any(|a| a.key == axis.key) {
            return Err(GridError::Grid(format!("--set {} is given twice", axis.key)));
        }
        for (j, value) in axis.values.iter().enumerate() {
            if axis.values[..j].contains(value) {
                return Err(GridError::Grid(format!("{} gives the value `{value}` twice", axis.key)));
            }
        }
    }
    Ok(())
}

/// Two grid points that are the same scenario (`5m` and `300s`), by their values.
fn same_scenarios(axes: &[Axis], points: &[Point]) -> Option<(String, String)> {
    let mut seen = std::collections::BTreeMap::new();
    let label =
        |p: &Point| axes.iter().zip(&p.values).map(|(a, v)| format!("{}={v}", a.key)).collect::<Vec<_>>().join(" ");
    for p in points {
        let json = p.scenario.to_json().to_string();
        if let Some(first) = seen.insert(json, p) {
            return Some((label(first), label(p)));
        }
    }
    None
}

/// Builds and validates every point of the grid of `axes` over scenario `text`.
pub fn points(file: &str, stem: &str, text: &str, axes: &[Axis]) -> Result<Vec<Point>, GridError> {
    check_axes(axes)?;
    let size = axes.iter().try_fold(1usize, |n, a| n.checked_mul(a.values.len())).unwrap_or(usize::MAX);
    if size > MAX_POINTS {
        return Err(GridError::Grid(format!("the grid has {size} points, above the limit of {MAX_POINTS}")));
    }
    let points = grid(axes)
        .into_iter()
        .map(|values| {
            let overrides: Vec<Override> =
                axes.iter().zip(&values).map(|(a, v)| Override { key: a.key.clone(), value: v.clone() }).collect();
            let scenario = parse_with_overrides(file, stem, text, &overrides)?;
            Ok(Point { values, scenario })
        })
        .collect::<Result<Vec<_>, GridError>>()?;
    if let Some((first, second)) = same_scenarios(axes, &points) {
        return Err(GridError::Grid(format!("{first} and {second} are the same scenario; give each value once")));
    }
    Ok(points)
}

/// Runs every point over replications `template.first ..`.
pub fn run(points: &[Point], template: &RunSpec, progress: super::Progress) -> Result<Vec<RunOutput>, RunError> {
    let scenarios: Vec<Scenario> = points.iter().map(|p| p.scenario.clone()).collect();
    super::run_all(&scenarios, template, progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_parse_and_grids_expand_first_axis_slowest() {
        let a: Axis = "phone_system.ports=8, 16".parse().unwrap();
        assert_eq!(a, Axis { key: "phone_system.ports".into(), values: vec!["8".into(), "16".into()] });
        let b: Axis = "failures[0].partition=[publisher,network],[publisher,subscriber]".parse().unwrap();
        assert_eq!(b.values, ["[publisher,network]", "[publisher,subscriber]"]);
        let c: Axis = "x=a,b,c".parse().unwrap();
        let g = grid(&[a, c]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], ["8", "a"]);
        assert_eq!(g[1], ["8", "b"]);
        assert_eq!(g[3], ["16", "a"]);
        assert!("novalue".parse::<Axis>().is_err());
        assert!("k=1,,2".parse::<Axis>().is_err());
    }

    #[test]
    fn keys_that_are_not_model_parameters_and_repeated_values_are_refused() {
        let text = "duration: 1h\n";
        let refused = |set: &str| match points("s.yaml", "s", text, &[set.parse().unwrap()]) {
            Err(GridError::Grid(message)) => message,
            other => panic!("{set}: {other:?}"),
        };
        assert!(refused("seed=1,2").contains("--seed N"));
        assert!(refused("replications=1,2").contains("--replications N"));
        for key in ["kind", "name", "description"] {
            assert!(refused(&format!("{key}=a,b")).contains("is not a model parameter"), "{key}");
        }
        assert_eq!(refused("phone_system.ports=8,16,8"), "phone_system.ports gives the value `8` twice");
        assert_eq!(
            refused("cluster.takeover=5m,300s"),
            "cluster.takeover=5m and cluster.takeover=300s are the same scenario; give each value once"
        );
    }
}
