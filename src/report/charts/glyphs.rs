//! Where each character of a label goes, from the bundled fonts' own metrics.
//!
//! plotters' ab_glyph renderer draws every glyph at the pen position and
//! drops its left side bearing, so at label sizes "status" comes out as
//! "statu s". Bitmap charts therefore draw text one character at a time, at
//! the positions computed here with ab_glyph's own API (advances, kerning and
//! each outline's left edge), at the scale plotters uses (pixel size over
//! ascent minus descent). A font ab_glyph cannot read falls back to plotters'
//! own placement: text is never lost, at worst uneven.

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont};

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
