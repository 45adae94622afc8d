//! Summary statistics over replications.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Mean, 95% confidence half-width, min and max of a metric over replications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    pub mean: f64,
    /// Half-width of the 95% Student-t interval of the mean (0 for one value).
    pub ci95: f64,
    pub min: f64,
    pub max: f64,
}

/// The two-sided 95% Student-t quantile for `n` observations.
pub fn t_quantile(n: usize) -> f64 {
    if n < 2 {
        return 0.0;
    }
    StudentsT::new(0.0, 1.0, (n - 1) as f64).map(|t| t.inverse_cdf(0.975)).unwrap_or(f64::NAN)
}

/// Neumaier's compensated sum: the rounding error of each addition is kept
/// and added back, so a long column of equal values sums exactly.
fn compensated_sum(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut compensation) = (0.0f64, 0.0f64);
    for v in values {
        let t = sum + v;
        compensation += if sum.abs() >= v.abs() { (sum - t) + v } else { (v - t) + sum };
        sum = t;
    }
    sum + compensation
}

/// Summarises `values` (summed in order with compensation, so the result does
/// not depend on how they were computed, a mean lies within [min, max] and a
/// constant column has a half-width of exactly 0).
pub fn summarize(values: &[f64]) -> Stat {
    let n = values.len();
    if n == 0 {
        return Stat { mean: 0.0, ci95: 0.0, min: 0.0, max: 0.0 };
    }
    let min = values.iter().cloned().fold(f64::INFINITY, f64::min);
    let max = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if min == max {
        return Stat { mean: min, ci95: 0.0, min, max };
    }
    let mean = (compensated_sum(values.iter().copied()) / n as f64).clamp(min, max);
    let ci95 = if n < 2 {
        0.0
    } else {
        let var = compensated_sum(values.iter().map(|v| (v - mean).powi(2))) / (n - 1) as f64;
        t_quantile(n) * (var / n as f64).sqrt()
    };
    Stat { mean, ci95, min, max }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn student_t_quantiles_match_tables() {
        // Two-sided 95% points from any t table: df 1 → 12.706, df 9 → 2.262, df 29 → 2.045.
        assert!((t_quantile(2) - 12.706).abs() < 1e-3);
        assert!((t_quantile(10) - 2.262).abs() < 1e-3);
        assert!((t_quantile(30) - 2.045).abs() < 1e-3);
        assert_eq!(t_quantile(1), 0.0);
    }

    #[test]
    fn summary_by_hand() {
        // 1, 2, 3: mean 2, sample sd 1, half-width 4.303 × 1/√3 = 2.484.
        let s = summarize(&[1.0, 2.0, 3.0]);
        assert_eq!((s.mean, s.min, s.max), (2.0, 1.0, 3.0));
        assert!((s.ci95 - 4.302653 / 3f64.sqrt()).abs() < 1e-5);
        assert_eq!(summarize(&[5.0]).ci95, 0.0);
    }

    #[test]
    fn a_mean_stays_within_its_values_and_a_constant_has_no_spread() {
        // 10^7 replications of the same 0.001: a plain sum drifts to a mean of
        // 0.0010000000001578516, above the max, with a half-width of 3.4e-16.
        let same = vec![0.001; 10_000_000];
        let s = summarize(&same);
        assert_eq!((s.mean, s.ci95, s.min, s.max), (0.001, 0.0, 0.001, 0.001));
        // Nearly constant, one value apart: exact by hand (9,999,999 × 0.001 + 0.002) / 10^7.
        let mut nearly = same;
        nearly[0] = 0.002;
        let s = summarize(&nearly);
        assert!(s.mean >= s.min && s.mean <= s.max);
        assert!((s.mean - 0.0010000001).abs() < 1e-15, "{}", s.mean);
        // Values of very different sizes: 1e16, 1, -1e16 sum to 1 exactly.
        assert_eq!(compensated_sum([1e16, 1.0, -1e16].into_iter()), 1.0);
    }
}

/// The paired difference `b − a`, replication by replication: its mean and
/// 95% half-width (the same replications under two strategies share their
/// random numbers, so the pairing removes most of the noise).
pub fn paired_difference(a: &[f64], b: &[f64]) -> Stat {
    let diffs: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
    summarize(&diffs)
}

#[cfg(test)]
mod paired_tests {
    use super::*;

    #[test]
    fn paired_differences_by_hand() {
        // Differences 1, 1, 4: mean 2, sd √3, half-width 4.303 × √3/√3 = 4.303.
        let d = paired_difference(&[1.0, 2.0, 3.0], &[2.0, 3.0, 7.0]);
        assert_eq!(d.mean, 2.0);
        assert!((d.ci95 - 4.302653).abs() < 1e-5);
        // Identical runs differ by exactly zero, with no uncertainty.
        assert_eq!(paired_difference(&[5.0, 6.0], &[5.0, 6.0]), Stat { mean: 0.0, ci95: 0.0, min: 0.0, max: 0.0 });
    }
}
