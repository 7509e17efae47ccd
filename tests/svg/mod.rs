//! Reading back what `d2l::plot` drew: the SVG parsed with an XML parser, and the elements,
//! texts, ticks and axis maps the plot tests check. Each test binary uses a part of it.
#![allow(dead_code)]

use d2l::plot::Figure;
use roxmltree::{Document, Node};

/// Fill colour of histogram bars, stroke colour of density curves, and the line colours in the
/// order series are added (matplotlib's default cycle).
pub const BAR: &str = "#1F77B4";
pub const CURVE: &str = "#D62728";
pub const LINE_COLOURS: [&str; 3] = ["#1F77B4", "#FF7F0E", "#2CA02C"];

pub fn parse(fig: &Figure) -> Document<'_> {
    Document::parse(fig.svg()).expect("the figure is well-formed XML")
}

pub fn elements<'a>(doc: &'a Document<'a>, tag: &str) -> Vec<Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == tag)
        .collect()
}

pub fn num(node: &Node, attr: &str) -> f64 {
    node.attribute(attr)
        .unwrap_or_else(|| panic!("no {attr}"))
        .parse()
        .unwrap()
}

/// A `<text>` element: its trimmed content, position and anchor.
pub struct Text {
    pub s: String,
    pub x: f64,
    pub y: f64,
    pub anchor: String,
}

pub fn texts(doc: &Document) -> Vec<Text> {
    elements(doc, "text")
        .iter()
        .map(|n| Text {
            s: n.text().unwrap_or("").trim().to_string(),
            x: num(n, "x"),
            y: num(n, "y"),
            anchor: n.attribute("text-anchor").unwrap_or("").to_string(),
        })
        .collect()
}

pub fn has_text(doc: &Document, s: &str) -> bool {
    texts(doc).iter().any(|t| t.s == s)
}

/// Bars of the histograms: filled rectangles in the bar colour, as (x, y, width, height).
pub fn bars(doc: &Document) -> Vec<(f64, f64, f64, f64)> {
    elements(doc, "rect")
        .iter()
        .filter(|n| n.attribute("fill") == Some(BAR))
        .map(|n| (num(n, "x"), num(n, "y"), num(n, "width"), num(n, "height")))
        .collect()
}

pub fn points(node: &Node) -> Vec<(f64, f64)> {
    node.attribute("points")
        .unwrap()
        .split_whitespace()
        .map(|p| {
            let (x, y) = p.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

/// Polylines stroked in `colour`, longest first (a legend sample is a two-point polyline).
pub fn polylines(doc: &Document, colour: &str) -> Vec<Vec<(f64, f64)>> {
    let mut v: Vec<_> = elements(doc, "polyline")
        .iter()
        .filter(|n| n.attribute("stroke") == Some(colour))
        .map(points)
        .collect();
    v.sort_by_key(|p| std::cmp::Reverse(p.len()));
    v
}

/// Numeric tick labels of the x axis (centred text) as (value, pixel x), and of the y axis
/// (right-aligned text) as (value, pixel y).
pub fn x_ticks(doc: &Document) -> Vec<(f64, f64)> {
    let t = texts(doc);
    t.iter()
        .filter(|t| t.anchor == "middle")
        .filter_map(|t| Some((t.s.parse().ok()?, t.x)))
        .collect()
}

pub fn y_ticks(doc: &Document) -> Vec<(f64, f64)> {
    let t = texts(doc);
    t.iter()
        .filter(|t| t.anchor == "end")
        .filter_map(|t| Some((t.s.parse().ok()?, t.y)))
        .collect()
}

/// The linear map value -> pixel through the first and the last tick.
pub fn axis_map(ticks: &[(f64, f64)]) -> impl Fn(f64) -> f64 + use<> {
    assert!(
        ticks.len() >= 2,
        "need two tick labels, got {}",
        ticks.len()
    );
    let (v0, p0) = ticks[0];
    let (v1, p1) = ticks[ticks.len() - 1];
    move |v| p0 + (v - v0) * (p1 - p0) / (v1 - v0)
}

pub fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}
