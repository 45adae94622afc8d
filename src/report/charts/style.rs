//! The look shared by every chart: the bundled font, the colours of the
//! statuses and faults, text sizes, and number formats for labels.
//!
//! The font is compiled in (DejaVu Sans, assets/fonts) so that a chart draws
//! the same pixels on a machine with no fonts at all.

use crate::model::trace::DbStatus;
use crate::report::faults::FaultKind;
use crate::report::folder::Trace;
use crate::scenario::Status;
use anyhow::Result;
use plotters::style::{FontFamily, FontStyle, RGBColor, TextStyle, register_font};
use std::sync::OnceLock;

pub(super) const REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
pub(super) const BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// The family every text of every chart uses.
pub const FAMILY: &str = "sans-serif";

/// Registers the bundled fonts with plotters, once per process.
pub fn register_fonts() -> Result<()> {
    static OUTCOME: OnceLock<Result<(), String>> = OnceLock::new();
    let outcome = OUTCOME.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, REGULAR).map_err(|_| "the bundled DejaVuSans.ttf is invalid")?;
        register_font(FAMILY, FontStyle::Bold, BOLD).map_err(|_| "the bundled DejaVuSans-Bold.ttf is invalid")?;
        Ok(())
    });
    outcome.clone().map_err(anyhow::Error::msg)
}

pub const WIDTH: u32 = 1600;
pub const HEIGHT: u32 = 900;

pub const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
pub const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);

pub fn title() -> TextStyle<'static> {
    TextStyle::from((FontFamily::Name(FAMILY), 26, FontStyle::Bold)).color(&TEXT)
}

/// Sizes are even: plotters centres each glyph on half the size, and an odd
/// size rounds glyphs with ascenders and without differently (a 1 px jitter).
pub fn heading() -> TextStyle<'static> {
    TextStyle::from((FontFamily::Name(FAMILY), 16, FontStyle::Bold)).color(&TEXT)
}

pub fn label() -> TextStyle<'static> {
    TextStyle::from((FontFamily::Name(FAMILY), 16)).color(&TEXT)
}

pub fn small() -> TextStyle<'static> {
    TextStyle::from((FontFamily::Name(FAMILY), 14)).color(&TEXT)
}

pub fn note() -> TextStyle<'static> {
    TextStyle::from((FontFamily::Name(FAMILY), 14)).color(&MUTED)
}

/// The seven statuses of seed Table 3-1 in legend order, with colours from the
/// Okabe–Ito palette (told apart with the common colour-vision deficiencies)
/// and differing in lightness too: the routine statuses are the calm ones.
pub const STATUSES: [(Status, RGBColor); 7] = [
    (Status::Primary, RGBColor(0x00, 0x9E, 0x73)),
    (Status::Secondary, RGBColor(0x56, 0xB4, 0xE9)),
    (Status::Starting, RGBColor(0xF0, 0xE4, 0x42)),
    (Status::ReplicatingData, RGBColor(0x6A, 0x3D, 0x9A)),
    (Status::SplitBrainRecovery, RGBColor(0xE6, 0x9F, 0x00)),
    (Status::Deactivated, RGBColor(0xA0, 0xA0, 0xA0)),
    (Status::NotFunctioning, RGBColor(0xB2, 0x22, 0x22)),
];

/// The voice cluster's routine statuses: where a healthy cluster lives.
const VOICE_ROUTINE: [Status; 2] = [Status::Primary, Status::Secondary];

/// A voice status's colour, by name.
fn voice_color(name: &str) -> Option<RGBColor> {
    STATUSES.iter().find(|(status, _)| status.as_str() == name).map(|(_, c)| *c)
}

/// Colours for statuses outside the voice cluster's seven (a chat pool's), in order of first
/// appearance, skipping colours already taken.
const OTHER_STATUS_COLORS: [RGBColor; 8] = [
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x6A, 0x3D, 0x9A),
    RGBColor(0xF0, 0xE4, 0x42),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0xA0, 0xA0, 0xA0),
    RGBColor(0x33, 0x33, 0x33),
];

/// The statuses a chart draws, their colours and legend order, and which are
/// routine. A voice run gets the seven voice statuses with fixed
/// colours; any other (a chat pool) gets the statuses it shows, a server
/// that is `down` in red, and its servers' initial statuses as routine.
#[derive(Debug, Clone, PartialEq)]
pub struct Statuses {
    pub legend: Vec<(String, RGBColor)>,
    pub routine: Vec<String>,
    pub voice: bool,
}

impl Statuses {
    /// The statuses a trace shows, in order of first appearance, and each
    /// server's first (its initial status, else its first change's `from`)
    /// as its routine one.
    pub fn of(trace: &Trace) -> Statuses {
        let first =
            |server| trace.initial_status(server).or(trace.changes.iter().find(|c| c.server == server).map(|c| c.from));
        let initial: Vec<String> =
            trace.servers().into_iter().filter_map(first).map(|s| s.as_str().to_string()).collect();
        let mut seen = initial.clone();
        for status in trace.changes.iter().flat_map(|c| [c.from.as_str(), c.to.as_str()]) {
            if !seen.iter().any(|s| s == status) {
                seen.push(status.to_string());
            }
        }
        Statuses::new(&seen, &initial)
    }

    /// From the statuses seen, in order of first appearance, and the servers'
    /// initial statuses.
    pub fn new(seen: &[String], initial: &[String]) -> Statuses {
        let voice = seen.iter().all(|s| voice_color(s).is_some());
        if voice {
            return Statuses {
                legend: STATUSES.iter().map(|(status, color)| (status.as_str().to_string(), *color)).collect(),
                routine: VOICE_ROUTINE.iter().map(|s| s.as_str().to_string()).collect(),
                voice,
            };
        }
        let mut legend: Vec<(String, RGBColor)> = vec![];
        let down = DbStatus::Down.as_str();
        for status in seen {
            let fixed = voice_color(status).or_else(|| (status == down).then_some(STATUSES[6].1));
            let taken = |c: &RGBColor| legend.iter().any(|(_, used)| used == c) || fixed == Some(*c);
            let free = OTHER_STATUS_COLORS.iter().find(|c| !taken(c)).copied();
            legend.push((status.clone(), fixed.or(free).unwrap_or(TEXT)));
        }
        let routine = initial.iter().filter(|s| s.as_str() != down).cloned().collect();
        Statuses { legend, routine, voice }
    }

    /// A status's colour; one the legend lacks is drawn black.
    pub fn color(&self, status: &str) -> RGBColor {
        self.legend.iter().find(|(name, _)| name == status).map_or(RGBColor(0, 0, 0), |(_, c)| *c)
    }

    pub fn is_routine(&self, status: &str) -> bool {
        self.routine.iter().any(|r| r == status)
    }
}

/// Text colour that reads on a `background` fill: dark on light colours.
pub fn ink_on(background: RGBColor) -> RGBColor {
    let RGBColor(r, g, b) = background;
    let luminance = 0.299 * r as f64 + 0.587 * g as f64 + 0.114 * b as f64;
    if luminance > 140.0 { TEXT } else { RGBColor(0xFF, 0xFF, 0xFF) }
}

/// A fault's colour and its name in legends.
pub fn fault_look(kind: FaultKind) -> (RGBColor, &'static str) {
    match kind {
        FaultKind::Crash => (RGBColor(0x33, 0x33, 0x33), "server down (crash)"),
        FaultKind::ServiceStopped => (RGBColor(0x8C, 0x51, 0x0A), "critical service stopped"),
        FaultKind::LinkCut => (RGBColor(0x00, 0x72, 0xB2), "network link cut"),
        FaultKind::SplitBrain => (RGBColor(0xCC, 0x79, 0xA7), "split brain (two primaries)"),
        FaultKind::MailboxesUnmounted => (RGBColor(0x88, 0x22, 0x55), "message store unmounted"),
        FaultKind::DataCentreLoss => (RGBColor(0x33, 0x33, 0x33), "data-centre loss (primary site)"),
    }
}

/// Colours for series that are not statuses (strategies, sweep lines):
/// Okabe–Ito, then darker tones once those run out.
pub const SERIES: [RGBColor; 10] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x33, 0x33, 0x33),
    RGBColor(0x88, 0x22, 0x55),
    RGBColor(0x11, 0x77, 0x33),
    RGBColor(0x99, 0x99, 0x33),
];

pub fn series_color(index: usize) -> RGBColor {
    SERIES[index % SERIES.len()]
}

/// A number for a label: at most four significant digits, no trailing zeros,
/// scientific only when very large or small.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v == 0.0 {
        return "0".into();
    }
    let magnitude = v.abs().log10().floor() as i32;
    if !(-4..7).contains(&magnitude) {
        return format!("{v:.2e}");
    }
    let decimals = (3 - magnitude).clamp(0, 8) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
}

/// Tick labels for an axis from `low` to `high`: as many decimals as the
/// tick spacing needs, so neighbouring ticks never read the same.
pub fn ticks(low: f64, high: f64) -> impl Fn(&f64) -> String {
    let step = ((high - low) / 6.0).abs();
    let decimals = if step > 0.0 && step.is_finite() { (1 - step.log10().floor() as i32).clamp(0, 10) } else { 3 };
    move |v: &f64| {
        let text = format!("{:.*}", decimals as usize, v);
        let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text };
        if text == "-0" { "0".into() } else { text }
    }
}

/// The largest unit in which `seconds` is at least two: its size in
/// seconds, its symbol and its name (`86400, "d", "days"`).
pub fn unit(seconds: f64) -> (f64, &'static str, &'static str) {
    const UNITS: [(f64, &str, &str); 4] =
        [(86_400.0, "d", "days"), (3_600.0, "h", "hours"), (60.0, "min", "minutes"), (1.0, "s", "seconds")];
    UNITS.into_iter().find(|(size, ..)| seconds >= 2.0 * *size).unwrap_or(UNITS[3])
}

/// A duration for a label, in the largest unit that keeps it readable.
pub fn duration(seconds: f64) -> String {
    let (size, symbol, _) = unit(seconds);
    format!("{} {symbol}", number(seconds / size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(number(0.004332443847525116), "0.004332");
        assert_eq!(number(405.79), "405.8");
        assert_eq!(number(4105.5), "4106");
        assert_eq!(number(1.0), "1");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(1.5e-7), "1.50e-7");
    }

    #[test]
    fn ticks_have_the_decimals_their_spacing_needs() {
        let f = ticks(0.9990, 0.9999);
        assert_eq!((f(&0.9994), f(&0.99945)), ("0.9994".to_string(), "0.99945".to_string()));
        assert_eq!(ticks(0.0, 0.3)(&0.05), "0.05");
        assert_eq!(ticks(0.0, 500.0)(&100.0), "100");
    }

    #[test]
    fn durations_pick_a_unit() {
        assert_eq!(duration(44.0), "44 s");
        assert_eq!(duration(15768.0), "4.38 h");
        assert_eq!(duration(90.0), "90 s");
        assert_eq!(duration(150.0), "2.5 min");
        assert_eq!(duration(86_400.0), "24 h");
        assert_eq!(duration(0.5), "0.5 s");
    }

    #[test]
    fn voice_runs_get_the_seven_statuses_and_others_get_their_own() {
        let voice = Statuses::new(&["primary".into(), "not_functioning".into()], &["primary".into()]);
        assert_eq!(voice.legend.len(), 7);
        assert!(voice.is_routine("secondary") && !voice.is_routine("starting"));
        let seen: Vec<String> = ["online_mirrored", "log_shipping", "down"].map(String::from).to_vec();
        let chat = Statuses::new(&seen, &seen[..2]);
        assert_eq!(chat.legend.len(), 3);
        assert_eq!(chat.color("down"), STATUSES[6].1);
        assert_ne!(chat.color("online_mirrored"), chat.color("log_shipping"));
        assert!(chat.is_routine("log_shipping") && !chat.is_routine("down"));
    }

    #[test]
    fn the_bundled_fonts_register() {
        register_fonts().unwrap();
    }
}
