//! Call traffic (R19): Poisson arrivals shaped by an hourly profile, hold
//! times, and the caller's purpose.
//!
//! ```text
//!  rate(t) = calls_per_hour × profile[hour of day]     (piecewise constant)
//!  next arrival: draw E ~ Exp(1), walk forward until the integrated rate reaches E
//! ```
//! One exponential draw per arrival, exact for a piecewise-constant rate, with
//! each quantity on its own stream so that strategies compared on one seed see
//! the same calls.

use crate::engine::{DAY, HOUR, Time, from_secs};
use crate::scenario::{HoldDistribution, HoldTime, Traffic};
use rand::RngExt;
use rand_distr::{Distribution, Exp1, LogNormal};

use crate::engine::rng::StreamRng;

/// Arrivals of a non-homogeneous Poisson process with a daily rate profile.
pub struct Arrivals {
    /// Calls per microsecond in each hour of the day.
    rate_per_us: [f64; 24],
    /// Expected calls in one whole day (integral of the rate).
    per_day: f64,
    rng: StreamRng,
    /// The hour of the last arrival, [start, end) and its index in the day,
    /// so most arrivals need no division.
    hour: (Time, Time, usize),
}

impl Arrivals {
    pub fn new(traffic: &Traffic, rng: StreamRng) -> Self {
        let base = traffic.calls_per_hour / HOUR.as_us() as f64;
        let mut rate_per_us = [base; 24];
        if let Some(profile) = &traffic.hourly_profile {
            for (rate, m) in rate_per_us.iter_mut().zip(profile) {
                *rate = base * m;
            }
        }
        let per_day = rate_per_us.iter().map(|r| r * HOUR.as_us() as f64).sum();
        Arrivals { rate_per_us, per_day, rng, hour: (Time::ZERO, HOUR, 0) }
    }

    /// Whether any call ever arrives.
    pub fn is_active(&self) -> bool {
        self.per_day > 0.0
    }

    /// The first arrival strictly after `now`, or `None` if there is no traffic
    /// or it would be beyond the end of time.
    #[inline]
    pub fn next_after(&mut self, now: Time) -> Option<Time> {
        if !self.is_active() {
            return None;
        }
        let need: f64 = self.rng.sample(Exp1);
        // Most arrivals fall in the hour of the last one: the first step of
        // `walk`, the same arithmetic, without the call.
        let (start, end, index) = self.hour;
        if now >= start && now < end && need < 0.5 * self.per_day {
            let rate = self.rate_per_us[index];
            let room_us = (end - now).as_us();
            // Through i64: exact below 2^63 (an hour is), one instruction.
            if rate > 0.0 && need <= rate * room_us as i64 as f64 {
                let step = crate::engine::round_u64(need / rate);
                return Some(now + Time::from_us(step.clamp(1, room_us)));
            }
        }
        self.walk(now, need)
    }

    /// The first arrival after `now` once the integrated rate reaches `need`.
    #[inline(never)]
    fn walk(&mut self, now: Time, mut need: f64) -> Option<Time> {
        let mut t = now;
        // Whole days first, so a long quiet profile costs O(1), not O(days).
        if need >= 0.5 * self.per_day {
            let days = (need / self.per_day).floor();
            if days >= 1.0 {
                need -= days * self.per_day;
                t = t.checked_add(DAY.checked_mul(days as u64)?)?;
            }
        }
        // At most 25 hour boundaries remain, then the arrival falls inside an hour.
        loop {
            let (hour, boundary) = self.hour_of(t);
            let rate = self.rate_per_us[hour];
            let room = rate * (boundary - t).as_us() as f64;
            if rate > 0.0 && need <= room {
                let step = crate::engine::round_u64(need / rate);
                return Some(t + Time::from_us(step.clamp(1, (boundary - t).as_us())));
            }
            need = (need - room).max(0.0);
            t = boundary;
        }
    }
}

impl Arrivals {
    /// The hour of the day `t` falls in, and the end of that hour.
    #[inline]
    fn hour_of(&mut self, t: Time) -> (usize, Time) {
        let (start, end, index) = self.hour;
        if t >= start && t < end {
            return (index, end);
        }
        let start = HOUR * (t / HOUR);
        let index = ((t / HOUR) % 24) as usize;
        self.hour = (start, start + HOUR, index);
        (index, start + HOUR)
    }
}

/// Hold times, in microseconds (at least 1).
pub enum HoldSampler {
    Exponential { mean_s: f64 },
    Lognormal(LogNormal<f64>),
    Fixed(Time),
}

impl HoldSampler {
    pub fn new(hold: &HoldTime) -> Self {
        let mean_s = hold.mean.as_secs_f64();
        match hold.distribution {
            HoldDistribution::Exponential => HoldSampler::Exponential { mean_s },
            HoldDistribution::Fixed => HoldSampler::Fixed(hold.mean.as_us().max(Time::from_us(1))),
            HoldDistribution::Lognormal => {
                let sd_s = hold.sd.map(|d| d.as_secs_f64()).unwrap_or(mean_s);
                // Moments of the log: sigma² = ln(1 + sd²/mean²), mu = ln(mean) − sigma²/2.
                let sigma2 = (1.0 + (sd_s / mean_s).powi(2)).ln();
                let mu = mean_s.ln() - sigma2 / 2.0;
                HoldSampler::Lognormal(LogNormal::new(mu, sigma2.sqrt()).expect("validated positive"))
            }
        }
    }

    #[inline]
    pub fn sample(&self, rng: &mut StreamRng) -> Time {
        let seconds = match self {
            HoldSampler::Exponential { mean_s } => {
                let e: f64 = rng.sample(Exp1);
                e * mean_s
            }
            HoldSampler::Lognormal(d) => d.sample(rng),
            HoldSampler::Fixed(us) => return *us,
        };
        from_secs(seconds).clamp(Time::from_us(1), DAY * 1000)
    }
}

/// Whether a caller is leaving a message (else a user checking messages).
#[inline]
pub fn leaves_message(rng: &mut StreamRng, fraction: f64) -> bool {
    rng.random::<f64>() < fraction
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::stream;

    fn traffic(cph: f64, profile: Option<Vec<f64>>) -> Traffic {
        Traffic { calls_per_hour: cph, hourly_profile: profile, ..Traffic::default() }
    }

    #[test]
    fn r19_arrival_count_matches_the_rate() {
        // 3600 calls/hour for 100 hours: 360000 expected, sd 600; allow 5 sd.
        let mut a = Arrivals::new(&traffic(3600.0, None), stream(1, 0));
        let (mut t, mut n) = (Time::ZERO, 0u64);
        while let Some(next) = a.next_after(t) {
            if next >= HOUR * 100 {
                break;
            }
            t = next;
            n += 1;
        }
        assert!((n as f64 - 360_000.0).abs() < 3_000.0, "{n}");
    }

    #[test]
    fn r19_hourly_profile_shapes_arrivals() {
        // Calls only between 09:00 and 10:00, 100 per hour there, over 200 days:
        // every arrival falls in hour 9 and there are about 20000 (sd 141).
        let mut profile = vec![0.0; 24];
        profile[9] = 1.0;
        let mut a = Arrivals::new(&traffic(100.0, Some(profile)), stream(2, 0));
        let (mut t, mut n) = (Time::ZERO, 0u64);
        while let Some(next) = a.next_after(t) {
            if next >= DAY * 200 {
                break;
            }
            assert_eq!((next / HOUR) % 24, 9, "arrival outside the profile at {next}");
            t = next;
            n += 1;
        }
        assert!((n as f64 - 20_000.0).abs() < 700.0, "{n}");
    }

    #[test]
    fn no_traffic_means_no_arrivals() {
        let mut a = Arrivals::new(&traffic(0.0, None), stream(3, 0));
        assert_eq!(a.next_after(Time::ZERO), None);
        let mut b = Arrivals::new(&traffic(10.0, Some(vec![0.0; 24])), stream(3, 0));
        assert_eq!(b.next_after(Time::ZERO), None);
    }

    #[test]
    fn r19_lognormal_hold_time_has_the_requested_mean_and_sd() {
        let hold = HoldTime {
            distribution: HoldDistribution::Lognormal,
            mean: crate::scenario::Duration::from_secs(90),
            sd: Some(crate::scenario::Duration::from_secs(60)),
        };
        let s = HoldSampler::new(&hold);
        let mut rng = stream(4, 0);
        let xs: Vec<f64> = (0..200_000).map(|_| s.sample(&mut rng).secs()).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64).sqrt();
        // Standard error of the mean is 60/sqrt(2e5) = 0.13 s.
        assert!((mean - 90.0).abs() < 1.0, "{mean}");
        assert!((sd - 60.0).abs() < 2.0, "{sd}");
    }
}
