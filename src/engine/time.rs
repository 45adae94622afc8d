//! Simulated time: integer microseconds, for instants and for spans alike.
//!
//! A newtype, so that a count of calls or ports can never be added to a
//! time by mistake, and so that floats reach time only through
//! [`Time::from_secs_f64`] (rounded to the microsecond) and leave it only
//! through [`Time::secs`] (for reporting).

use std::fmt;
use std::ops::{Add, AddAssign, Div, Mul, Rem, Sub};

/// A simulated instant (since the start of the run) or span, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(u64);

/// Microseconds per millisecond, second, minute, hour and day.
pub const MS: Time = Time(1_000);
pub const SECOND: Time = Time(1_000_000);
pub const MINUTE: Time = Time(60 * SECOND.0);
pub const HOUR: Time = Time(60 * MINUTE.0);
pub const DAY: Time = Time(24 * HOUR.0);

impl Time {
    pub const ZERO: Time = Time(0);
    pub const MAX: Time = Time(u64::MAX);

    #[inline]
    pub const fn from_us(us: u64) -> Time {
        Time(us)
    }

    #[inline]
    pub const fn as_us(self) -> u64 {
        self.0
    }

    /// Seconds, for reporting (never used inside the engine).
    pub fn secs(self) -> f64 {
        self.0 as f64 / SECOND.0 as f64
    }

    /// The nearest microsecond to `s` seconds, 0 for a negative or NaN
    /// number, saturating at [`Time::MAX`] (where a sampled duration becomes a time).
    #[inline]
    pub fn from_secs_f64(s: f64) -> Time {
        // round_u64 takes NaN and what is below zero to 0.
        let us = s * SECOND.0 as f64;
        if us >= u64::MAX as f64 { Time::MAX } else { Time(round_u64(us)) }
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    #[inline]
    pub const fn saturating_add(self, other: Time) -> Time {
        Time(self.0.saturating_add(other.0))
    }

    #[inline]
    pub const fn saturating_sub(self, other: Time) -> Time {
        Time(self.0.saturating_sub(other.0))
    }

    #[inline]
    pub const fn checked_add(self, other: Time) -> Option<Time> {
        match self.0.checked_add(other.0) {
            Some(t) => Some(Time(t)),
            None => None,
        }
    }

    #[inline]
    pub const fn checked_mul(self, n: u64) -> Option<Time> {
        match self.0.checked_mul(n) {
            Some(t) => Some(Time(t)),
            None => None,
        }
    }

    #[inline]
    pub const fn saturating_mul(self, n: u64) -> Time {
        Time(self.0.saturating_mul(n))
    }

    /// How many whole `span`s fit in `self`, rounded up.
    #[inline]
    pub const fn div_ceil(self, span: Time) -> u64 {
        self.0.div_ceil(span.0)
    }

    /// `self` split in `n` parts, rounded up.
    #[inline]
    pub const fn split_ceil(self, n: u64) -> Time {
        Time(self.0.div_ceil(n))
    }
}

/// `x.round() as u64` (saturating, 0 for NaN) without the libm call (same
/// result: x - trunc(x) is exact, and ties go away from zero).
#[inline]
pub fn round_u64(x: f64) -> u64 {
    // Below 2^52, without a float-to-integer conversion (a dozen instructions
    // with Rust's saturating `as`): adding 2^52 rounds x to the nearest whole
    // number, ties to even, and leaves that number in the low bits; the
    // difference back to x is exact, and is 0.5 only for a tie that went down.
    // From 2^52 up every f64 is a whole number, so `as` (saturating, and 0
    // for NaN and below zero) is already exact there.
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    if (0.0..TWO_52).contains(&x) {
        let biased = x + TWO_52;
        let nearest = biased.to_bits() - TWO_52.to_bits();
        return nearest + (x - (biased - TWO_52) == 0.5) as u64;
    }
    x as u64
}

impl Add for Time {
    type Output = Time;
    #[inline]
    fn add(self, other: Time) -> Time {
        Time(self.0 + other.0)
    }
}

impl AddAssign for Time {
    #[inline]
    fn add_assign(&mut self, other: Time) {
        self.0 += other.0;
    }
}

impl Sub for Time {
    type Output = Time;
    #[inline]
    fn sub(self, other: Time) -> Time {
        Time(self.0 - other.0)
    }
}

/// A span repeated `n` times.
impl Mul<u64> for Time {
    type Output = Time;
    #[inline]
    fn mul(self, n: u64) -> Time {
        Time(self.0 * n)
    }
}

/// How many whole `span`s fit (rounded down).
impl Div for Time {
    type Output = u64;
    #[inline]
    fn div(self, span: Time) -> u64 {
        self.0 / span.0
    }
}

/// A span split in `n` parts (rounded down).
impl Div<u64> for Time {
    type Output = Time;
    #[inline]
    fn div(self, n: u64) -> Time {
        Time(self.0 / n)
    }
}

impl Rem for Time {
    type Output = Time;
    #[inline]
    fn rem(self, span: Time) -> Time {
        Time(self.0 % span.0)
    }
}

impl fmt::Display for Time {
    /// Seconds, exactly: `3600 s`, `12.5 s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / SECOND.0, self.0 % SECOND.0);
        if frac == 0 {
            write!(f, "{whole} s")
        } else {
            let digits = format!("{frac:06}");
            write!(f, "{whole}.{} s", digits.trim_end_matches('0'))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_round_to_the_nearest_microsecond() {
        assert_eq!(Time::from_secs_f64(1.5), Time::from_us(1_500_000));
        assert_eq!(Time::from_secs_f64(1e-7), Time::ZERO);
        assert_eq!(Time::from_secs_f64(-3.0), Time::ZERO);
        assert_eq!(Time::from_secs_f64(f64::NAN), Time::ZERO);
        assert_eq!(Time::from_secs_f64(f64::NEG_INFINITY), Time::ZERO);
        assert_eq!(Time::from_secs_f64(-0.0), Time::ZERO);
        assert_eq!(Time::from_secs_f64(f64::INFINITY), Time::MAX);
        assert_eq!(Time::from_secs_f64(1e300), Time::MAX);
        assert_eq!(Time::from_us(2_500_000).secs(), 2.5);
        assert_eq!(Time::from_us(12_500_000).to_string(), "12.5 s");
    }

    #[test]
    fn round_u64_is_round_half_away_from_zero_on_either_side_of_2_to_52() {
        let two_52 = (1u64 << 52) as f64;
        for (x, rounded) in [
            (0.0, 0),
            (0.49999999999999994, 0),
            (0.5, 1),
            (1.5, 2),
            (2.5, 3),
            (-0.4, 0),
            (-3.0, 0),
            (f64::NAN, 0),
            (two_52 - 0.5, 1u64 << 52),
            (two_52 - 1.5, (1u64 << 52) - 1),
            (two_52, 1u64 << 52),
            (two_52 * 2.0 + 2.0, (1u64 << 53) + 2),
            (u64::MAX as f64, u64::MAX),
        ] {
            assert_eq!(round_u64(x), rounded, "{x}");
        }
        // libm's round is the definition: whole numbers, quarters and ties,
        // small and near 2^52.
        for k in (0..2_000u64).chain((1u64 << 52) - 2_000..1u64 << 52) {
            for frac in [0.0, 0.25, 0.5, 0.75] {
                let x = k as f64 + frac;
                assert_eq!(round_u64(x), x.round() as u64, "{x}");
            }
        }
    }

    #[test]
    fn spans_divide_and_repeat() {
        assert_eq!(HOUR / MINUTE, 60);
        assert_eq!(Time::from_us(7).div_ceil(Time::from_us(2)), 4);
        assert_eq!(Time::from_us(7).split_ceil(2), Time::from_us(4));
        assert_eq!(MINUTE * 60, HOUR);
        assert_eq!(Time::from_us(7) % Time::from_us(3), Time::from_us(1));
        assert_eq!(Time::MAX.saturating_add(SECOND), Time::MAX);
        assert_eq!(SECOND.checked_add(Time::MAX), None);
    }
}
