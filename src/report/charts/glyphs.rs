//! Where each character of a label goes, from the bundled fonts' own tables.
//!
//! plotters' ab_glyph renderer draws every glyph at the pen position and
//! drops its left side bearing, so at label sizes "status" comes out as
//! "statu s". Bitmap charts therefore draw text one character at a time, at
//! the positions computed here from the TrueType tables (`cmap` format 4,
//! `hmtx`, `glyf` bounds, `kern` format 0), with the same scale ab_glyph uses
//! (pixel size over ascent minus descent). Anything the tables do not answer
//! falls back to plotters' own placement: text is never lost, at worst uneven.

/// A parsed view of a TrueType font's metrics.
pub struct Metrics {
    bytes: &'static [u8],
    height_units: f64,
    cmap: usize,
    hmtx: usize,
    metric_count: usize,
    loca: usize,
    long_loca: bool,
    glyf: usize,
    kern: Option<(usize, usize)>,
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]))
}

fn i16_at(bytes: &[u8], at: usize) -> Option<i16> {
    u16_at(bytes, at).map(|v| v as i16)
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?, *bytes.get(at + 2)?, *bytes.get(at + 3)?]))
}

/// The offset of table `tag`.
fn table(bytes: &[u8], tag: &[u8; 4]) -> Option<usize> {
    let count = u16_at(bytes, 4)? as usize;
    (0..count).map(|i| 12 + 16 * i).find(|&at| bytes.get(at..at + 4) == Some(tag)).and_then(|at| {
        let offset = u32_at(bytes, at + 8)? as usize;
        (offset < bytes.len()).then_some(offset)
    })
}

/// The Windows Unicode BMP subtable (format 4) of `cmap`.
fn cmap_format4(bytes: &[u8], cmap: usize) -> Option<usize> {
    let count = u16_at(bytes, cmap + 2)? as usize;
    (0..count).map(|i| cmap + 4 + 8 * i).find_map(|at| {
        let (platform, encoding) = (u16_at(bytes, at)?, u16_at(bytes, at + 2)?);
        let sub = cmap + u32_at(bytes, at + 4)? as usize;
        (platform == 3 && encoding == 1 && u16_at(bytes, sub)? == 4).then_some(sub)
    })
}

/// The pairs of the first horizontal format-0 subtable of `kern`.
fn kern_pairs(bytes: &[u8], kern: usize) -> Option<(usize, usize)> {
    let (version, tables) = (u16_at(bytes, kern)?, u16_at(bytes, kern + 2)?);
    if version != 0 || tables == 0 {
        return None;
    }
    let sub = kern + 4;
    let coverage = u16_at(bytes, sub + 4)?;
    let horizontal_format0 = coverage & 0x1 == 1 && coverage >> 8 == 0 && coverage & 0x6 == 0;
    horizontal_format0.then_some((sub + 14, u16_at(bytes, sub + 6)? as usize))
}

impl Metrics {
    /// Parses the tables; `None` when the font lacks one this needs.
    pub fn parse(bytes: &'static [u8]) -> Option<Metrics> {
        let head = table(bytes, b"head")?;
        let hhea = table(bytes, b"hhea")?;
        let ascent = i16_at(bytes, hhea + 4)? as f64;
        let descent = i16_at(bytes, hhea + 6)? as f64;
        let metrics = Metrics {
            bytes,
            height_units: ascent - descent,
            cmap: cmap_format4(bytes, table(bytes, b"cmap")?)?,
            hmtx: table(bytes, b"hmtx")?,
            metric_count: u16_at(bytes, hhea + 34)? as usize,
            loca: table(bytes, b"loca")?,
            long_loca: i16_at(bytes, head + 50)? == 1,
            glyf: table(bytes, b"glyf")?,
            kern: table(bytes, b"kern").and_then(|k| kern_pairs(bytes, k)),
        };
        (metrics.height_units > 0.0 && metrics.metric_count > 0).then_some(metrics)
    }

    /// The glyph of `c`, 0 (the missing glyph) when the font has none.
    fn glyph(&self, c: char) -> u16 {
        self.lookup(c as u32).unwrap_or(0)
    }

    fn lookup(&self, code: u32) -> Option<u16> {
        let b = self.bytes;
        let code = u16::try_from(code).ok()?;
        let segments = u16_at(b, self.cmap + 6)? as usize / 2;
        let ends = self.cmap + 14;
        let starts = ends + 2 * segments + 2;
        let deltas = starts + 2 * segments;
        let offsets = deltas + 2 * segments;
        let i = (0..segments).find(|&i| u16_at(b, ends + 2 * i).is_some_and(|end| end >= code))?;
        let start = u16_at(b, starts + 2 * i)?;
        if start > code {
            return None;
        }
        let delta = u16_at(b, deltas + 2 * i)?;
        let range = u16_at(b, offsets + 2 * i)? as usize;
        if range == 0 {
            return Some(code.wrapping_add(delta));
        }
        let at = offsets + 2 * i + range + 2 * (code - start) as usize;
        let glyph = u16_at(b, at)?;
        (glyph != 0).then(|| glyph.wrapping_add(delta))
    }

    fn advance_units(&self, glyph: u16) -> f64 {
        let index = (glyph as usize).min(self.metric_count - 1);
        u16_at(self.bytes, self.hmtx + 4 * index).unwrap_or(0) as f64
    }

    /// The left edge of the glyph's outline, or `None` for a blank glyph.
    fn x_min_units(&self, glyph: u16) -> Option<f64> {
        let g = glyph as usize;
        let (start, end) = if self.long_loca {
            (u32_at(self.bytes, self.loca + 4 * g)? as usize, u32_at(self.bytes, self.loca + 4 * g + 4)? as usize)
        } else {
            let at = |i| u16_at(self.bytes, self.loca + 2 * i).map(|v| 2 * v as usize);
            (at(g)?, at(g + 1)?)
        };
        (end > start).then(|| i16_at(self.bytes, self.glyf + start + 2)).flatten().map(f64::from)
    }

    fn kern_units(&self, left: u16, right: u16) -> f64 {
        let Some((pairs, count)) = self.kern else { return 0.0 };
        let key = (left as u32) << 16 | right as u32;
        let pair_key = |i: usize| u32_at(self.bytes, pairs + 6 * i);
        let (mut lo, mut hi) = (0, count);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match pair_key(mid) {
                Some(k) if k == key => return i16_at(self.bytes, pairs + 6 * mid + 4).unwrap_or(0) as f64,
                Some(k) if k < key => lo = mid + 1,
                Some(_) => hi = mid,
                None => return 0.0,
            }
        }
        0.0
    }

    /// Each inked character of `text` at `size` pixels with the x offset (in
    /// whole pixels) where its ink starts, and the text's advance width.
    pub fn layout(&self, text: &str, size: f64) -> (Vec<(char, i32)>, f64) {
        let scale = size / self.height_units;
        let mut pen = 0.0;
        let mut previous = None;
        let mut placed = vec![];
        for c in text.chars() {
            let glyph = self.glyph(c);
            if let Some(p) = previous {
                pen += self.kern_units(p, glyph) * scale;
            }
            if let Some(x_min) = self.x_min_units(glyph) {
                placed.push((c, pen.round() as i32 + (x_min * scale).floor() as i32));
            }
            pen += self.advance_units(glyph) * scale;
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
        let glyphs: Vec<u16> = "aZ0–→±".chars().map(|c| m.glyph(c)).collect();
        assert!(glyphs.iter().all(|&g| g != 0), "{glyphs:?}");
        let mut unique = glyphs.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), glyphs.len());
    }

    #[test]
    fn digits_share_one_advance_and_spaces_have_no_ink() {
        let m = regular();
        let (placed, width) = m.layout("10 01", 2384.0);
        assert_eq!(placed.len(), 4);
        assert_eq!(width, 4.0 * m.advance_units(m.glyph('0')) + m.advance_units(m.glyph(' ')));
    }

    #[test]
    fn kerning_pulls_av_together() {
        let m = regular();
        assert!(m.kern_units(m.glyph('A'), m.glyph('V')) < 0.0);
    }
}
