//! A reader of the SVG that plotters writes, for tests that check what a
//! chart shows: its elements with their attributes and text, in drawing
//! order. Tests find elements by what they are (a rectangle of a colour, a
//! text that says something), not by their position in the file.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

/// One element: `rect`, `text`, `polygon` ...; `text` is the content of a
/// `<text>` element, trimmed and unescaped.
#[derive(Debug, Clone)]
pub struct Element {
    pub name: String,
    pub attrs: BTreeMap<String, String>,
    pub text: String,
}

impl Element {
    pub fn attr(&self, key: &str) -> &str {
        self.attrs.get(key).map_or("", String::as_str)
    }

    /// A numeric attribute (`x`, `width`, `font-size`); panics when absent.
    pub fn num(&self, key: &str) -> f64 {
        self.attr(key).parse().unwrap_or_else(|_| panic!("{} has no number `{key}`: {self:?}", self.name))
    }

    /// The `fill` colour, if it is `#RRGGBB`.
    pub fn fill(&self) -> Option<Rgb> {
        Rgb::parse(self.attr("fill"))
    }

    /// A rectangle's horizontal extent, `[x, x + width]`.
    pub fn span_x(&self) -> (f64, f64) {
        (self.num("x"), self.num("x") + self.num("width"))
    }

    /// Whether `y` is within a rectangle's height.
    pub fn holds_y(&self, y: f64) -> bool {
        self.num("y") <= y && y <= self.num("y") + self.num("height")
    }
}

/// A colour as three bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub fn parse(text: &str) -> Option<Rgb> {
        let hex = text.strip_prefix('#').filter(|h| h.len() == 6)?;
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Rgb(byte(0)?, byte(2)?, byte(4)?))
    }
}

fn unescape(text: &str) -> String {
    text.replace("&apos;", "'").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// The attributes of an opening tag's body, `x="1" fill="#FFFFFF"`.
fn attributes(mut body: &str) -> BTreeMap<String, String> {
    let mut attrs = BTreeMap::new();
    while let Some((key, rest)) = body.split_once("=\"") {
        let Some((value, rest)) = rest.split_once('"') else { break };
        attrs.insert(key.trim().to_string(), unescape(value));
        body = rest;
    }
    attrs
}

/// Every element of `svg`, in drawing order.
pub fn elements(svg: &str) -> Vec<Element> {
    let mut out = vec![];
    for (i, _) in svg.match_indices('<') {
        let rest = &svg[i + 1..];
        if rest.starts_with('/') || rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[..end];
        let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        let closed = tag.ends_with('/');
        let body = tag[name.len()..].trim_end_matches('/');
        let text =
            if closed { String::new() } else { unescape(rest[end + 1..].split('<').next().unwrap_or("").trim()) };
        out.push(Element { name, attrs: attributes(body), text });
    }
    out
}

pub fn read(path: &Path) -> Vec<Element> {
    elements(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

#[test]
fn the_reader_finds_elements_attributes_and_text() {
    let svg = "<svg width=\"10\">\n<rect x=\"1\" y=\"2\" width=\"3\" height=\"4\" fill=\"#B22222\"/>\n\
               <text x=\"5\" font-family=\"sans-serif\">\nlinks &amp; cluster\n</text>\n</svg>";
    let e = elements(svg);
    assert_eq!(e.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["svg", "rect", "text"]);
    assert_eq!(e[1].fill(), Some(Rgb(0xB2, 0x22, 0x22)));
    assert_eq!(e[1].span_x(), (1.0, 4.0));
    assert!(e[1].holds_y(6.0) && !e[1].holds_y(6.5));
    assert_eq!((e[2].attr("font-family"), e[2].text.as_str()), ("sans-serif", "links & cluster"));
}
