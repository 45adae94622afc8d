//! Closed forms the simulator is checked against, and that `validate` uses to
//! lint port counts.

/// Erlang B: the blocking probability of `servers` ports offered `erlangs` of
/// Poisson traffic (M/G/c/c, insensitive to the hold-time distribution).
/// Computed with the stable recursion B(k) = A·B(k−1) / (k + A·B(k−1)).
pub fn erlang_b(servers: u32, erlangs: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=servers {
        b = erlangs * b / (k as f64 + erlangs * b);
    }
    b
}

/// The fewest ports that keep Erlang B blocking at or below `target`.
pub fn ports_needed(erlangs: f64, target: f64) -> u32 {
    let mut b = 1.0;
    let mut k = 0u32;
    while b > target && k < 1_000_000 {
        k += 1;
        b = erlangs * b / (k as f64 + erlangs * b);
    }
    k
}

/// Blocking of a GI/M/c/c loss system (Takács): with φ the Laplace–Stieltjes
/// transform of the inter-arrival time and μ the service rate,
/// B = 1 / Σ_{j=0}^{c} C(c, j) Π_{i=1}^{j} (1 − φ(iμ)) / φ(iμ).
pub fn gi_m_c_c_blocking(servers: u32, service_rate: f64, lst: impl Fn(f64) -> f64) -> f64 {
    let c = servers as usize;
    let mut sum = 0.0;
    let mut product = 1.0;
    let mut binomial = 1.0;
    for j in 0..=c {
        if j > 0 {
            let phi = lst(j as f64 * service_rate);
            product *= (1.0 - phi) / phi;
            binomial = binomial * (c - j + 1) as f64 / j as f64;
        }
        sum += binomial * product;
    }
    1.0 / sum
}

/// Steady-state unavailability of one repairable component with exponential
/// up and down times: MTTR / (MTBF + MTTR).
pub fn unavailability(mtbf: f64, mttr: f64) -> f64 {
    mttr / (mtbf + mttr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_b_matches_published_tables() {
        // By hand: B(1, 1) = 1/2, B(2, 1) = (1/2) / (1 + 1 + 1/2) = 1/5.
        assert!((erlang_b(1, 1.0) - 0.5).abs() < 1e-12);
        assert!((erlang_b(2, 1.0) - 0.2).abs() < 1e-12);
        // Erlang B tables (four digits): B(10, 5) = 0.0184, B(16, 10) = 0.0223.
        assert!((erlang_b(10, 5.0) - 0.0184).abs() < 5e-5);
        assert!((erlang_b(16, 10.0) - 0.0223).abs() < 5e-5);
        // The defining formula (A^c / c!) / Σ A^k / k!, summed directly.
        let direct = |c: u32, a: f64| {
            let terms: Vec<f64> = (0..=c)
                .scan(1.0, |t, k| {
                    if k > 0 {
                        *t *= a / k as f64;
                    }
                    Some(*t)
                })
                .collect();
            terms[c as usize] / terms.iter().sum::<f64>()
        };
        for (c, a) in [(8, 6.0), (16, 12.0), (32, 28.0)] {
            assert!((erlang_b(c, a) - direct(c, a)).abs() < 1e-12);
        }
        assert_eq!(ports_needed(10.0, 0.01), 18);
    }

    #[test]
    fn takacs_reduces_to_erlang_b_for_poisson_arrivals() {
        let (lambda, mu) = (3.0, 0.5);
        let poisson = |s: f64| lambda / (lambda + s);
        for c in [1, 4, 8, 16] {
            let b = gi_m_c_c_blocking(c, mu, poisson);
            assert!((b - erlang_b(c, lambda / mu)).abs() < 1e-12, "c = {c}");
        }
    }
}
