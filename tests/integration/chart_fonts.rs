//! Chart text comes from the bundled fonts (assets/fonts, DejaVu Sans), the
//! ones whose metrics lay the charts out. Were another font to draw them, a
//! PNG's words would take other widths than the legends were spaced for, and
//! the same data would draw other pixels on another machine; an SVG text
//! naming another family would be drawn by whatever the viewer has.
//!
//! The PNG test measures the ink of two texts (the bold title, the regular
//! subtitle) and compares it with the same texts laid out with ab_glyph from
//! the font files themselves: the pen advances by each glyph's advance and
//! kerning, and each glyph's ink starts at its outline's left edge.

use crate::common::*;
use crate::svg::{self, Element};
use ab_glyph::{Font, FontRef, ScaleFont};
use clustersim::report::charts::{ChartFormat, draw_dir};
use clustersim::report::palette;
use std::path::Path;

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Forty days of random failures: every voice chart of a run is drawn.
const MONTH: &str = "\
name: fonts-month
duration: 40d
replications: 4
seed: 3
phone_system: {integration: sccp, ports: 16}
traffic: {calls_per_hour: 300, hold_time: {distribution: lognormal, mean: 90s, sd: 60s}}
random_failures:
  crash: {mtbf: 300h, mttr: 4h}
  partition: {mtbf: 500h, mttr: 15m}
";

/// A folder made by the command line in `tmp`.
fn folder(tmp: &Path, args: &[&str]) -> std::path::PathBuf {
    let o = run_cli(args, tmp);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    let out = args.iter().position(|a| *a == "--out").map(|i| args[i + 1]).unwrap();
    tmp.join(out)
}

#[test]
fn every_text_of_the_svg_charts_names_the_family_the_bundled_fonts_are_registered_as() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "s.yaml", MONTH);
    let run = folder(tmp.path(), &["run", "s.yaml", "--out", "run", "--quiet", "--no-charts", "--trace", "all"]);
    let compare = folder(
        tmp.path(),
        &[
            "compare",
            "s.yaml",
            "--out",
            "compare",
            "--quiet",
            "--no-charts",
            "--replications",
            "2",
            "--integrations",
            "sccp,sip_trunk",
        ],
    );
    let mut charts = draw_dir(&run, ChartFormat::Svg).unwrap();
    charts.extend(draw_dir(&compare, ChartFormat::Svg).unwrap());
    assert_eq!(charts.len(), 4, "{charts:?}");
    for chart in charts {
        let texts: Vec<Element> = svg::read(&chart).into_iter().filter(|e| e.name == "text").collect();
        assert!(texts.len() > 10, "{}: {} texts", chart.display(), texts.len());
        for text in texts {
            assert_eq!(text.attr("font-family"), palette::FAMILY, "{}: {:?}", chart.display(), text.text);
        }
    }
}

/// The ink of a text: the pixels at least half covered, as the box
/// `(left, top, right, bottom)`, inclusive.
type Ink = (i32, i32, i32, i32);

/// The ink of `text` at `size` pixels in `font`, from a pen at 0 rounded to
/// whole pixels per glyph (the box's top is relative to the text's centre
/// line, where plotters puts half the size above the glyph's top).
fn ink_of(font: &[u8], size: f32, text: &str) -> Ink {
    let font = FontRef::try_from_slice(font).expect("the bundled font parses");
    let font = font.as_scaled(size);
    let (mut pen, mut previous) = (0f32, None);
    let mut ink = (i32::MAX, i32::MAX, i32::MIN, i32::MIN);
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = previous {
            pen += font.kern(p, id);
        }
        previous = Some(id);
        if let Some(outline) = font.outline_glyph(font.scaled_glyph(c)) {
            let bounds = outline.px_bounds();
            let top = (size / 2.0 + bounds.min.y) as i32;
            let left = pen.round() as i32 + bounds.min.x as i32;
            outline.draw(|x, y, coverage| {
                if coverage >= 0.5 {
                    let (x, y) = (left + x as i32, top + y as i32);
                    ink = (ink.0.min(x), ink.1.min(y), ink.2.max(x), ink.3.max(y));
                }
            });
        }
        pen += font.h_advance(id);
    }
    ink
}

/// An RGB PNG's pixels, row by row.
fn png_rows(path: &Path) -> (usize, Vec<Vec<[u8; 3]>>) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buffer).unwrap();
    assert_eq!(frame.color_type, png::ColorType::Rgb, "{}", path.display());
    let width = frame.width as usize;
    let rows = buffer[..frame.buffer_size()]
        .chunks(frame.line_size)
        .map(|row| row.chunks(3).map(|p| [p[0], p[1], p[2]]).collect())
        .collect();
    (width, rows)
}

/// The ink in the band of rows `top..=bottom` of a chart on white, for text
/// of colour `ink_red` (the red channel of a grey): pixels at least half way
/// from white to it.
fn ink_in_band(rows: &[Vec<[u8; 3]>], top: usize, bottom: usize, ink_red: u8) -> Ink {
    let mut ink = (i32::MAX, i32::MAX, i32::MIN, i32::MIN);
    for (y, row) in rows.iter().enumerate().take(bottom + 1).skip(top) {
        for (x, pixel) in row.iter().enumerate() {
            let darkness = (255.0 - pixel[0] as f64) / (255.0 - ink_red as f64);
            if darkness >= 0.5 {
                let (x, y) = (x as i32, y as i32);
                ink = (ink.0.min(x), ink.1.min(y), ink.2.max(x), ink.3.max(y));
            }
        }
    }
    ink
}

fn width_height(ink: Ink) -> (i32, i32) {
    (ink.2 - ink.0, ink.3 - ink.1)
}

#[test]
fn png_text_has_the_ink_of_the_bundled_fonts() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "s.yaml", MONTH);
    let run = folder(tmp.path(), &["run", "s.yaml", "--out", "run", "--quiet", "--no-charts"]);
    draw_dir(&run, ChartFormat::Svg).unwrap();
    draw_dir(&run, ChartFormat::Png).unwrap();
    // The SVG of the same chart says which texts are drawn where, at what
    // size and weight (plotters writes a size of s pixels as s / 1.24).
    let texts: Vec<Element> =
        svg::read(&run.join("availability.svg")).into_iter().filter(|e| e.name == "text").collect();
    let (_, rows) = png_rows(&run.join("availability.png"));
    // The title (bold) and the line under it (regular), the first two texts
    // from the top, alone in their rows.
    for text in &texts[..2] {
        let size = (text.num("font-size") * 1.24).round() as f32;
        let bold = text.attr("font-weight") == "bold";
        let (font, other) = if bold { (BOLD, REGULAR) } else { (REGULAR, BOLD) };
        let expected = ink_of(font, size, &text.text);
        let centre = text.num("y");
        let band = (centre - 0.75 * size as f64) as usize..=(centre + 0.75 * size as f64) as usize;
        let ink_red = text.fill().expect("a text colour").0;
        let drawn = ink_in_band(&rows, *band.start(), *band.end(), ink_red);
        let what = format!("{:?} at {size} px, bold {bold}", text.text);
        let (drawn_w, drawn_h) = width_height(drawn);
        let (expected_w, expected_h) = width_height(expected);
        assert!((drawn_w - expected_w).abs() <= 1, "{what}: ink {drawn_w} px wide, the bundled font's {expected_w}");
        assert!((drawn_h - expected_h).abs() <= 1, "{what}: ink {drawn_h} px high, the bundled font's {expected_h}");
        // Starting where the text is placed: the pen at its x.
        assert!((drawn.0 - (text.num("x") as i32 + expected.0)).abs() <= 1, "{what}: ink starts at {}", drawn.0);
        // The measure tells fonts apart: the other weight of the same
        // family would be caught, let alone another family.
        let (other_w, _) = width_height(ink_of(other, size, &text.text));
        assert!((drawn_w - other_w).abs() > 5, "{what}: the other weight is {other_w} px wide");
    }
}
