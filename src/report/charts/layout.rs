//! Drawing helpers shared by the charts: text placed in pixels and
//! horizontal legends. Legends are drawn in rows above their panel,
//! never inside it, so they cannot hide data.
//!
//! plotters' ab_glyph renderer draws every glyph at the pen position and
//! drops its left side bearing, so at label sizes "status" comes out as
//! "statu s". Bitmap charts therefore draw text one character at a time, at
//! the positions [`Metrics`] computes with ab_glyph's own API (advances,
//! kerning and each outline's left edge), at the scale plotters uses (pixel
//! size over ascent minus descent). A font ab_glyph cannot read falls back to
//! plotters' own placement: text is never lost, at worst uneven.

use super::style;
use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont};
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::cell::Cell;
use std::sync::OnceLock;

/// A backend the charts draw on: any plotters backend whose errors can
/// travel in an `anyhow::Error`.
pub trait Backend: DrawingBackend<ErrorType: 'static> {}
impl<T: DrawingBackend<ErrorType: 'static>> Backend for T {}
pub type Area<DB> = DrawingArea<DB, Shift>;

/// Left edge of every plot, in pixels: room for lane names and y labels.
pub const PLOT_LEFT: u32 = 190;
/// Right margin of every plot.
pub const PLOT_RIGHT: u32 = 40;

thread_local! {
    /// Whether text is placed character by character (see [`Metrics`]): yes
    /// on bitmaps, no in SVG, where the viewer lays text out with its own font.
    static PER_GLYPH: Cell<bool> = const { Cell::new(false) };
}

/// Runs `draw` with per-character text placement on or off.
pub fn with_glyph_placement<R>(on: bool, draw: impl FnOnce() -> R) -> R {
    let before = PER_GLYPH.replace(on);
    let result = draw();
    PER_GLYPH.set(before);
    result
}

/// Glyph metrics of the bundled font in `style`'s weight.
fn metrics(style: &TextStyle) -> Option<&'static Metrics> {
    static METRICS: OnceLock<[Option<Metrics>; 2]> = OnceLock::new();
    let fonts = METRICS.get_or_init(|| [Metrics::parse(style::REGULAR), Metrics::parse(style::BOLD)]);
    fonts[usize::from(matches!(style.font.get_style(), FontStyle::Bold))].as_ref()
}

/// Text at a pixel position with the given anchor.
pub fn text<DB: Backend>(area: &Area<DB>, s: &str, at: (i32, i32), style: &TextStyle, h: HPos, v: VPos) -> Result<()> {
    let per_glyph = PER_GLYPH.get();
    let Some(metrics) = metrics(style).filter(|_| per_glyph) else {
        area.draw(&Text::new(s.to_string(), at, style.pos(Pos::new(h, v))))?;
        return Ok(());
    };
    let (placed, width) = metrics.layout(s, style.font.get_size());
    let left = match h {
        HPos::Left => at.0,
        HPos::Center => at.0 - (width / 2.0).round() as i32,
        HPos::Right => at.0 - width.round() as i32,
    };
    let anchored = style.pos(Pos::new(HPos::Left, v));
    for (c, dx) in placed {
        area.draw(&Text::new(c.to_string(), (left + dx, at.1), anchored.clone()))?;
    }
    Ok(())
}

/// The width of `s` in pixels.
pub fn text_width<DB: Backend>(area: &Area<DB>, s: &str, style: &TextStyle) -> Result<i32> {
    match metrics(style) {
        Some(m) => Ok(m.layout(s, style.font.get_size()).1.round() as i32),
        None => Ok(area.estimate_text_size(s, style)?.0 as i32),
    }
}

/// The little picture before a legend entry.
#[derive(Clone, Copy)]
pub enum Swatch {
    /// A filled box, as in a status lane or a bar.
    Box(RGBColor),
    /// A thin bar, as in a fault strip.
    Strip(RGBColor),
    /// A solid line.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A translucent band.
    Band(RGBColor, f64),
    Cross(RGBColor),
    Triangle(RGBColor),
    Dot(RGBColor),
    /// A short vertical tick, as a periodic job's run.
    Tick(RGBColor),
    /// A diamond, as an instant (a step that took no time).
    Diamond(RGBColor),
}

fn draw_swatch<DB: Backend>(area: &Area<DB>, swatch: Swatch, (x, y): (i32, i32)) -> Result<()> {
    let centre = (x + 10, y);
    match swatch {
        Swatch::Box(c) => area.draw(&Rectangle::new([(x + 2, y - 7), (x + 18, y + 7)], c.filled()))?,
        Swatch::Strip(c) => area.draw(&Rectangle::new([(x, y - 3), (x + 20, y + 3)], c.filled()))?,
        Swatch::Line(c) => area.draw(&PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(3)))?,
        Swatch::Dashed(c) => {
            for dash in 0..3 {
                let from = x + dash * 8;
                area.draw(&PathElement::new(vec![(from, y), (from + 5, y)], c.stroke_width(2)))?;
            }
        }
        Swatch::Band(c, alpha) => area.draw(&Rectangle::new([(x, y - 8), (x + 20, y + 8)], c.mix(alpha).filled()))?,
        Swatch::Cross(c) => area.draw(&Cross::new(centre, 5, c.stroke_width(2)))?,
        Swatch::Triangle(c) => area.draw(&TriangleMarker::new(centre, 6, c.filled()))?,
        Swatch::Dot(c) => area.draw(&Circle::new(centre, 4, c.filled()))?,
        Swatch::Tick(c) => area.draw(&Rectangle::new([(x + 9, y - 8), (x + 11, y + 8)], c.filled()))?,
        Swatch::Diamond(c) => area.draw(&diamond(centre, 6, c))?,
    }
    Ok(())
}

/// A filled diamond of half-width `r` pixels centred on `(x, y)`.
pub fn diamond((x, y): (i32, i32), r: i32, color: RGBColor) -> Polygon<(i32, i32)> {
    Polygon::new(vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y)], color.filled())
}

/// A legend's entries: each swatch with its label.
pub type Legend = Vec<(Swatch, String)>;

/// Draws `items` left to right from `x`, centred on `y`; returns the x where
/// the row ends.
pub fn legend_row<DB: Backend>(area: &Area<DB>, (x, y): (i32, i32), items: &[(Swatch, String)]) -> Result<i32> {
    let style = style::small();
    let mut at = x;
    for (swatch, label) in items {
        draw_swatch(area, *swatch, (at, y))?;
        text(area, label, (at + 26, y), &style, HPos::Left, VPos::Center)?;
        at += 26 + text_width(area, label, &style)? + 22;
    }
    Ok(at)
}

/// A legend row at `y` from the left margin, after a bold `lead` when given.
pub fn keyed_legend<DB: Backend>(
    area: &Area<DB>,
    lead: Option<&str>,
    items: &[(Swatch, String)],
    y: i32,
) -> Result<()> {
    let mut x = 24;
    if let Some(lead) = lead {
        text(area, lead, (x, y), &style::heading(), HPos::Left, VPos::Center)?;
        x += text_width(area, lead, &style::heading())? + 16;
    }
    legend_row(area, (x, y), items)?;
    Ok(())
}

/// A caption at `y`, then its legend `gap` pixels after it, and at `min_x` or beyond.
pub fn caption<DB: Backend>(
    area: &Area<DB>,
    title: &str,
    y: i32,
    (gap, min_x): (i32, i32),
    items: &[(Swatch, String)],
) -> Result<()> {
    text(area, title, (24, y), &style::heading(), HPos::Left, VPos::Center)?;
    let end = 24 + text_width(area, title, &style::heading())? + gap;
    legend_row(area, (end.max(min_x), y), items)?;
    Ok(())
}

/// A tick label: whole numbers plainly, others with what digits they need.
pub fn tick(v: &f64) -> String {
    style::number(*v)
}

/// A tick label on an axis of counts: whole numbers only (no "0.5 calls").
pub fn count_tick(v: &f64) -> String {
    if v.fract() == 0.0 { style::number(*v) } else { String::new() }
}

/// A font, read once, that lays out labels.
pub struct Metrics {
    font: FontRef<'static>,
}

impl Metrics {
    /// Reads the font; `None` when ab_glyph cannot.
    pub fn parse(bytes: &'static [u8]) -> Option<Metrics> {
        let font = FontRef::try_from_slice(bytes).ok()?;
        (font.height_unscaled() > 0.0).then_some(Metrics { font })
    }

    fn glyph(&self, c: char) -> GlyphId {
        self.font.glyph_id(c)
    }

    /// Each inked character of `text` at `size` pixels with the x offset (in
    /// whole pixels) where its ink starts, and the text's advance width.
    pub fn layout(&self, text: &str, size: f64) -> (Vec<(char, i32)>, f64) {
        let scaled = self.font.as_scaled(PxScale::from(size as f32));
        let scale = f64::from(scaled.h_scale_factor());
        let mut pen = 0.0;
        let mut previous = None;
        let mut placed = vec![];
        for c in text.chars() {
            let glyph = self.glyph(c);
            if let Some(p) = previous {
                pen += f64::from(self.font.kern_unscaled(p, glyph)) * scale;
            }
            // The outline's left edge, not the side bearing: they differ
            // where a font says so, and blank glyphs have no outline.
            if let Some(outline) = self.font.outline(glyph) {
                placed.push((c, pen.round() as i32 + (f64::from(outline.bounds.min.x) * scale).floor() as i32));
            }
            pen += f64::from(self.font.h_advance_unscaled(glyph)) * scale;
            previous = Some(glyph);
        }
        (placed, pen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ab_glyph::GlyphId;

    fn regular() -> Metrics {
        Metrics::parse(include_bytes!("../../../assets/fonts/DejaVuSans.ttf")).expect("DejaVu Sans parses")
    }

    #[test]
    fn characters_map_to_distinct_glyphs() {
        let m = regular();
        let glyphs: Vec<GlyphId> = "aZ0–→±".chars().map(|c| m.glyph(c)).collect();
        assert!(glyphs.iter().all(|g| g.0 != 0), "{glyphs:?}");
        let mut unique = glyphs.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), glyphs.len());
    }

    #[test]
    fn digits_share_one_advance_and_spaces_have_no_ink() {
        // At a size equal to the font's height in units, one pixel is one unit.
        let m = regular();
        let size = f64::from(m.font.height_unscaled());
        let (placed, width) = m.layout("10 01", size);
        assert_eq!(placed.len(), 4);
        let advance = |c| f64::from(m.font.h_advance_unscaled(m.glyph(c)));
        assert!((width - (4.0 * advance('0') + advance(' '))).abs() < 1e-6, "{width}");
    }

    #[test]
    fn kerning_pulls_av_together() {
        let m = regular();
        assert!(m.font.kern_unscaled(m.glyph('A'), m.glyph('V')) < 0.0);
        let (_, kerned) = m.layout("AV", 100.0);
        let (_, a) = m.layout("A", 100.0);
        let (_, v) = m.layout("V", 100.0);
        assert!(kerned < a + v);
    }
}
