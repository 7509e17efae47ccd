//! "Who owns this tensor?": a module tree drawn as a graph of who points at which storage.
//!
//! In PyTorch, and in this crate, a layer does not hold its numbers itself: it holds a handle to
//! a [`Parameter`], and two layers can hold handles to the same one (a tied layer, or a
//! `clone()` kept as a "copy"). Printing a model does not show this; these figures do.
//!
//! - [`Owners`] (and [`owners`] for one model) draws each model's tree on the left, one row per
//!   module and one small cell per parameter slot (its `state_dict` key), and on the right one
//!   **storage box per distinct `Parameter` object**, with its shape and first value. Every slot
//!   has an arrow to the box it points at. Slots that point at one box are one parameter
//!   ([`Parameter::same_as`] is true); boxes are coloured by identity, so two boxes with equal
//!   numbers (a deep copy, a loaded checkpoint) still look like two objects. Several models can
//!   share one figure, with colours kept across them: a deep copy's boxes are new colours.
//! - [`key_views`] draws the two ways of listing one model's parameters beside the same boxes:
//!   the `state_dict()` keys on the left (every place a parameter is reached) and the
//!   `named_parameters()` entries on the right (every parameter once).
//!
//! Boxes are numbered in the order they are first reached; colours repeat after twenty boxes,
//! the numbers do not. Labels are Chinese, like the notebooks. Each drawn element carries a `class`
//! (`slot`, `storage`, `edge`, `module`); slots and edges also carry `data-owner` (the model's
//! name, or `state_dict` / `named_parameters`), `data-key` and `data-param` (the box number), so
//! that a test can read the graph back from the SVG.
//!
//! ```
//! use d2l::prelude::*;
//! let shared = Linear::new(8, 8)?;
//! let net = sequential![Linear::new(4, 8)?, ReLU(), shared.clone(), ReLU(), shared.clone()];
//! let twin = net.deep_copy()?;
//! let fig = d2l::owners::Owners::new("谁拥有这些参数").model("net", &net).model("twin", &twin).plot()?;
//! // net: 0.weight, 0.bias and the tied pair's weight and bias; twin: four boxes of its own.
//! assert_eq!(fig.svg().matches("class=\"storage\"").count(), 8);
//! assert_eq!(fig.svg().matches("class=\"slot\"").count(), 12);
//! # Ok::<(), d2l::Error>(())
//! ```

use crate::error::Result;
use crate::nn::{Module, ModuleExt};
use crate::param::Parameter;
use crate::plot::Figure;
use std::fmt::Write;

/// Height of one row of the tree, of a storage box, and the gap between boxes.
const ROW: f64 = 24.0;
const BOX_H: f64 = 40.0;
const BOX_GAP: f64 = 8.0;
/// Indentation per level of the tree, and the width left for the arrows.
const INDENT: f64 = 18.0;
const EDGE_SPACE: f64 = 120.0;
const MARGIN: f64 = 20.0;
const TOP: f64 = 64.0;
const FONT: &str = "sans-serif";

/// A "who owns this tensor?" figure of one or more models (see the [module docs](self)).
///
/// ```
/// use d2l::prelude::*;
/// let layer = Linear::new(2, 1)?;
/// let handle = layer.clone();
/// let fig = d2l::owners::Owners::new("clone() 之后").model("layer", &layer).model("handle", &handle).plot()?;
/// // Four slots, two boxes: the clone points at the layer's own parameters.
/// assert_eq!(fig.svg().matches("class=\"storage\"").count(), 2);
/// # Ok::<(), d2l::Error>(())
/// ```
pub struct Owners<'a> {
    title: String,
    models: Vec<(String, &'a dyn Module)>,
}

impl<'a> Owners<'a> {
    /// An empty figure with this title; add models with [`Owners::model`].
    ///
    /// ```
    /// let fig = d2l::owners::Owners::new("空图").plot()?;
    /// assert!(fig.svg().contains("空图"));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn new(title: &str) -> Self {
        Owners {
            title: title.to_string(),
            models: Vec::new(),
        }
    }

    /// Adds a model under `name` (drawn below the models added before it).
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(4, 8)?, ReLU()];
    /// let fig = d2l::owners::Owners::new("一个模型").model("net", &net).plot()?;
    /// assert!(fig.svg().contains("0.weight"));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn model<M: Module + ?Sized>(mut self, name: &str, m: &'a M) -> Self {
        self.models.push((name.to_string(), m.as_module()));
        self
    }

    /// Draws the figure.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let fig = d2l::owners::Owners::new("图").model("m", &Linear::new(2, 2)?).plot()?;
    /// assert!(fig.svg().starts_with("<svg"));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn plot(&self) -> Result<Figure> {
        let mut boxes = Boxes::default();
        let mut rows = Vec::new();
        let mut seen: Vec<(&dyn Module, String)> = Vec::new();
        for (name, m) in &self.models {
            walk(*m, name, "", 0, &mut rows, &mut seen, &mut boxes);
        }
        draw_tree(&self.title, &rows, &boxes)
    }
}

/// The figure of one model's tree and the parameters its slots point at (see [`Owners`]).
///
/// ```
/// use d2l::prelude::*;
/// let shared = Linear::new(8, 8)?;
/// let net = sequential![shared.clone(), ReLU(), shared.clone()];
/// let fig = d2l::owners::owners(&net, "绑定的层")?;
/// assert_eq!(fig.svg().matches("class=\"storage\"").count(), 2);
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn owners<M: Module + ?Sized>(m: &M, title: &str) -> Result<Figure> {
    Owners::new(title).model(&m.type_name(), m).plot()
}

/// One model's `state_dict()` keys (left) and `named_parameters()` entries (right), both with
/// arrows to the same storage boxes (middle): the keys name every place a parameter is
/// reached, the entries every parameter once.
///
/// ```
/// use d2l::prelude::*;
/// let shared = Linear::new(8, 8)?;
/// let net = sequential![Linear::new(4, 8)?, ReLU(), shared.clone(), ReLU(), shared.clone()];
/// let fig = d2l::owners::key_views(&net, "两种列法")?;
/// assert!(fig.svg().contains("state_dict()：6 个键"));
/// assert!(fig.svg().contains("named_parameters()：4 项"));
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn key_views<M: Module + ?Sized>(m: &M, title: &str) -> Result<Figure> {
    let mut boxes = Boxes::default();
    let keys: Vec<(String, usize)> = slots(m.as_module(), "")
        .into_iter()
        .map(|(key, p)| (key, boxes.index(&p)))
        .collect();
    let named: Vec<(String, usize)> = m
        .named_parameters()
        .into_iter()
        .map(|(key, p)| (key, boxes.index(&p)))
        .collect();
    draw_views(title, &keys, &named, &boxes)
}

/// The distinct parameters met so far, in the order they were first met.
#[derive(Default)]
struct Boxes {
    params: Vec<Parameter>,
}

impl Boxes {
    /// The number of `p`'s box, adding one if `p` is new.
    fn index(&mut self, p: &Parameter) -> usize {
        match self.params.iter().position(|q| q.same_as(p)) {
            Some(i) => i,
            None => {
                self.params.push(p.clone());
                self.params.len() - 1
            }
        }
    }

    /// The two lines written in box `i`: its number and shape, and its first value.
    fn label(&self, i: usize) -> (String, String) {
        let p = &self.params[i];
        match (p.shape(), p.values_f32()) {
            (Ok(shape), Ok(values)) => {
                let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
                let first = values
                    .first()
                    .map_or("无".to_string(), |v| format!("{v:.4}"));
                (
                    format!("参数 #{} · 形状 {}", i + 1, dims.join("×")),
                    format!("第一个数 {first}"),
                )
            }
            _ => (format!("参数 #{}", i + 1), "未初始化".to_string()),
        }
    }
}

/// One line of the tree: a module (at depth 0, a model), or a parameter slot.
enum Row {
    Module {
        depth: usize,
        label: String,
        note: Option<String>,
    },
    Slot {
        depth: usize,
        model: String,
        key: String,
        param: usize,
    },
}

/// Appends `m`'s rows (itself, its slots, then its sub-modules at every place they are used).
#[allow(clippy::too_many_arguments)]
fn walk<'m>(
    m: &'m dyn Module,
    model: &str,
    path: &str,
    depth: usize,
    rows: &mut Vec<Row>,
    seen: &mut Vec<(&'m dyn Module, String)>,
    boxes: &mut Boxes,
) {
    let label = if path.is_empty() {
        format!("{model}（{}）", m.type_name())
    } else {
        format!("{path}: {}", m.type_name())
    };
    let note = match seen.iter().find(|(other, _)| other.same_as(m)) {
        Some((_, first)) => Some(format!("与 {first} 是同一个层")),
        None => {
            if !m.own_parameters().is_empty() || !m.submodules().is_empty() {
                let first = if path.is_empty() {
                    model.to_string()
                } else {
                    format!("{model} 的 {path}")
                };
                seen.push((m, first));
            }
            None
        }
    };
    rows.push(Row::Module { depth, label, note });
    for (name, p) in m.own_parameters() {
        rows.push(Row::Slot {
            depth: depth + 1,
            model: model.to_string(),
            key: join(path, name),
            param: boxes.index(p),
        });
    }
    for (name, child) in m.submodules() {
        walk(
            child,
            model,
            &join(path, name),
            depth + 1,
            rows,
            seen,
            boxes,
        );
    }
}

/// Every parameter slot below `m` with its `state_dict` key, in `state_dict` order.
fn slots(m: &dyn Module, path: &str) -> Vec<(String, Parameter)> {
    let mut out: Vec<(String, Parameter)> = m
        .own_parameters()
        .into_iter()
        .map(|(name, p)| (join(path, name), p.clone()))
        .collect();
    for (name, child) in m.submodules() {
        out.extend(slots(child, &join(path, name)));
    }
    out
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// About how wide `s` is at font size `size`: CJK characters are square, others narrower.
fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 0.6 } else { 1.0 })
        .sum::<f64>()
        * size
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Twenty colours (matplotlib's "tab20": the ten of the default cycle, then their light
/// companions), so that up to twenty boxes each have their own.
const COLOURS: [(u8, u8, u8); 20] = [
    (0x1f, 0x77, 0xb4),
    (0xff, 0x7f, 0x0e),
    (0x2c, 0xa0, 0x2c),
    (0xd6, 0x27, 0x28),
    (0x94, 0x67, 0xbd),
    (0x8c, 0x56, 0x4b),
    (0xe3, 0x77, 0xc2),
    (0x7f, 0x7f, 0x7f),
    (0xbc, 0xbd, 0x22),
    (0x17, 0xbe, 0xcf),
    (0xae, 0xc7, 0xe8),
    (0xff, 0xbb, 0x78),
    (0x98, 0xdf, 0x8a),
    (0xff, 0x98, 0x96),
    (0xc5, 0xb0, 0xd5),
    (0xc4, 0x9c, 0x94),
    (0xf7, 0xb6, 0xd2),
    (0xc7, 0xc7, 0xc7),
    (0xdb, 0xdb, 0x8d),
    (0x9e, 0xda, 0xe5),
];

fn colour(i: usize) -> String {
    let c = COLOURS[i % COLOURS.len()];
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// The colour mixed with three parts of white: the fill of a box.
fn tint(i: usize) -> String {
    let c = COLOURS[i % COLOURS.len()];
    let mix = |v: u8| (v as u32 + 3 * 255) / 4;
    format!("#{:02X}{:02X}{:02X}", mix(c.0), mix(c.1), mix(c.2))
}

/// An SVG document being written.
struct Svg {
    body: String,
}

impl Svg {
    fn text(&mut self, x: f64, y: f64, size: f64, anchor: &str, extra: &str, s: &str) {
        let _ = writeln!(
            self.body,
            r#"<text x="{x:.1}" y="{:.1}" font-family="{FONT}" font-size="{size}" text-anchor="{anchor}"{extra}>{}</text>"#,
            y + 0.35 * size,
            esc(s)
        );
    }

    /// A box of parameter `i` with its two lines, at (x, y) of size w x h.
    fn storage(&mut self, boxes: &Boxes, i: usize, x: f64, y: f64, w: f64) {
        let (line1, line2) = boxes.label(i);
        let _ = writeln!(
            self.body,
            r#"<rect class="storage" data-param="{}" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{BOX_H}" rx="6" fill="{}" stroke="{}" stroke-width="2"/>"#,
            i + 1,
            tint(i),
            colour(i)
        );
        self.text(x + 8.0, y + 12.0, 12.0, "start", "", &line1);
        self.text(x + 8.0, y + 29.0, 12.0, "start", "", &line2);
    }

    /// A cell of a slot or list entry of `owner` (a model's name or a view's) pointing at
    /// parameter `i`.
    fn slot(&mut self, i: usize, owner: &str, (x, y): (f64, f64), w: f64, key: &str) {
        let _ = writeln!(
            self.body,
            r#"<rect class="slot" data-owner="{}" data-key="{}" data-param="{}" x="{x:.1}" y="{:.1}" width="{w:.1}" height="{:.1}" rx="3" fill="white" stroke="{}" stroke-width="1.5"/>"#,
            esc(owner),
            esc(key),
            i + 1,
            y - ROW / 2.0 + 2.0,
            ROW - 4.0,
            colour(i)
        );
        self.text(x + 6.0, y, 12.0, "start", "", key);
    }

    /// An arrow from (x1, y1) to (x2, y2) in parameter `i`'s colour, the head at the end.
    fn edge(&mut self, i: usize, owner: &str, key: &str, from: (f64, f64), to: (f64, f64)) {
        let ((x1, y1), (x2, y2)) = (from, to);
        let mid = (x1 + x2) / 2.0;
        let _ = writeln!(
            self.body,
            r#"<path class="edge" data-owner="{}" data-key="{}" data-param="{}" d="M {x1:.1} {y1:.1} C {mid:.1} {y1:.1} {mid:.1} {y2:.1} {x2:.1} {y2:.1}" fill="none" stroke="{}" stroke-width="1.5"/>"#,
            esc(owner),
            esc(key),
            i + 1,
            colour(i)
        );
        let back = if x2 > x1 { -8.0 } else { 8.0 };
        let _ = writeln!(
            self.body,
            r#"<polygon points="{x2:.1},{y2:.1} {:.1},{:.1} {:.1},{:.1}" fill="{}"/>"#,
            x2 + back,
            y2 - 4.0,
            x2 + back,
            y2 + 4.0,
            colour(i)
        );
    }

    fn finish(self, title: &str, width: f64, height: f64) -> Figure {
        let mut svg = format!(
            r#"<svg width="{w}" height="{h}" viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg">
<rect x="0" y="0" width="{w}" height="{h}" fill="white"/>
"#,
            w = width.ceil(),
            h = height.ceil()
        );
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="30" font-family="{FONT}" font-size="18" text-anchor="middle">{}</text>"#,
            width / 2.0,
            esc(title)
        );
        svg.push_str(&self.body);
        svg.push_str("</svg>\n");
        Figure { svg }
    }
}

/// Places box `i` of `n` at the first y it is wanted at, below the box before it.
fn place_boxes(wanted: &[f64]) -> Vec<f64> {
    let mut ys = Vec::with_capacity(wanted.len());
    let mut next = TOP;
    for &y in wanted {
        let top = (y - BOX_H / 2.0).max(next);
        ys.push(top);
        next = top + BOX_H + BOX_GAP;
    }
    ys
}

fn box_width(boxes: &Boxes) -> f64 {
    (0..boxes.params.len())
        .map(|i| {
            let (a, b) = boxes.label(i);
            text_width(&a, 12.0).max(text_width(&b, 12.0))
        })
        .fold(120.0, f64::max)
        + 16.0
}

const FOOTNOTE: &str = "一个方框 = 一个 Parameter 对象；指向同一个方框的槽位是同一个参数（same_as 为真），数值相同的两个方框仍是两个对象";

fn draw_tree(title: &str, rows: &[Row], boxes: &Boxes) -> Result<Figure> {
    // Where each row goes, and how wide the tree column is.
    let ys: Vec<f64> = (0..rows.len())
        .map(|r| TOP + ROW * (r as f64 + 0.5))
        .collect();
    let slot_w = rows
        .iter()
        .map(|r| match r {
            Row::Slot { key, .. } => text_width(key, 12.0) + 12.0,
            _ => 0.0,
        })
        .fold(60.0, f64::max);
    let tree_right = rows
        .iter()
        .map(|r| match r {
            Row::Module { depth, label, note } => {
                let note_w = note.as_ref().map_or(0.0, |n| text_width(n, 11.0) + 10.0);
                MARGIN + INDENT * *depth as f64 + text_width(label, 13.0) + note_w
            }
            Row::Slot { depth, .. } => MARGIN + INDENT * *depth as f64 + slot_w,
        })
        .fold(200.0, f64::max);
    let mut wanted = vec![f64::INFINITY; boxes.params.len()];
    for (row, y) in rows.iter().zip(&ys) {
        if let Row::Slot { param, .. } = row {
            wanted[*param] = wanted[*param].min(*y);
        }
    }
    let box_ys = place_boxes(&wanted);
    let box_x = tree_right + EDGE_SPACE;
    let box_w = box_width(boxes);
    let mut svg = Svg {
        body: String::new(),
    };
    svg.text(
        MARGIN,
        TOP - 14.0,
        13.0,
        "start",
        r##" fill="#555""##,
        "模块树（每个槽位是一个 state_dict 键）",
    );
    svg.text(
        box_x,
        TOP - 14.0,
        13.0,
        "start",
        r##" fill="#555""##,
        "参数存储",
    );
    for (row, &y) in rows.iter().zip(&ys) {
        match row {
            Row::Module { depth, label, note } => {
                let x = MARGIN + INDENT * *depth as f64;
                let style = if *depth == 0 {
                    r#" class="module" font-weight="bold""#
                } else {
                    r#" class="module""#
                };
                svg.text(x, y, 13.0, "start", style, label);
                if let Some(note) = note {
                    let nx = x + text_width(label, 13.0) + 10.0;
                    svg.text(nx, y, 11.0, "start", r##" fill="#C0392B""##, note);
                }
            }
            Row::Slot {
                depth,
                model,
                key,
                param,
            } => {
                let x = MARGIN + INDENT * *depth as f64;
                svg.slot(*param, model, (x, y), slot_w, key);
                let target = (box_x, box_ys[*param] + BOX_H / 2.0);
                svg.edge(*param, model, key, (x + slot_w, y), target);
            }
        }
    }
    for (i, &y) in box_ys.iter().enumerate() {
        svg.storage(boxes, i, box_x, y, box_w);
    }
    let bottom = ys.last().map_or(TOP, |y| y + ROW / 2.0);
    let bottom = box_ys.last().map_or(bottom, |y| bottom.max(y + BOX_H)) + 16.0;
    svg.text(
        MARGIN,
        bottom + 4.0,
        11.0,
        "start",
        r##" fill="#555""##,
        FOOTNOTE,
    );
    let width = (box_x + box_w + MARGIN).max(MARGIN * 2.0 + text_width(FOOTNOTE, 11.0));
    Ok(svg.finish(title, width, bottom + 24.0))
}

fn draw_views(
    title: &str,
    keys: &[(String, usize)],
    named: &[(String, usize)],
    boxes: &Boxes,
) -> Result<Figure> {
    let cell_w = keys
        .iter()
        .chain(named)
        .map(|(k, _)| text_width(k, 12.0) + 12.0)
        .fold(90.0, f64::max);
    let row_y = |r: usize| TOP + ROW * (r as f64 + 0.5);
    let mut wanted = vec![f64::INFINITY; boxes.params.len()];
    for (r, (_, i)) in keys.iter().enumerate() {
        wanted[*i] = wanted[*i].min(row_y(r));
    }
    let box_ys = place_boxes(&wanted);
    let box_w = box_width(boxes);
    let left_x = MARGIN;
    let box_x = left_x + cell_w + EDGE_SPACE;
    let right_x = box_x + box_w + EDGE_SPACE;
    let mut svg = Svg {
        body: String::new(),
    };
    let grey = r##" fill="#555""##;
    let key_head = format!("state_dict()：{} 个键", keys.len());
    let named_head = format!("named_parameters()：{} 项", named.len());
    svg.text(left_x, TOP - 14.0, 13.0, "start", grey, &key_head);
    svg.text(box_x, TOP - 14.0, 13.0, "start", grey, "参数存储");
    svg.text(right_x, TOP - 14.0, 13.0, "start", grey, &named_head);
    for (r, (key, i)) in keys.iter().enumerate() {
        svg.slot(*i, "state_dict", (left_x, row_y(r)), cell_w, key);
        let target = (box_x, box_ys[*i] + BOX_H / 2.0);
        svg.edge(*i, "state_dict", key, (left_x + cell_w, row_y(r)), target);
    }
    for (r, (key, i)) in named.iter().enumerate() {
        svg.slot(*i, "named_parameters", (right_x, row_y(r)), cell_w, key);
        let target = (box_x + box_w, box_ys[*i] + BOX_H / 2.0);
        svg.edge(*i, "named_parameters", key, (right_x, row_y(r)), target);
    }
    for (i, &y) in box_ys.iter().enumerate() {
        svg.storage(boxes, i, box_x, y, box_w);
    }
    let rows = keys.len().max(named.len());
    let bottom = row_y(rows.saturating_sub(1)) + ROW / 2.0;
    let bottom = box_ys.last().map_or(bottom, |y| bottom.max(y + BOX_H)) + 16.0;
    svg.text(MARGIN, bottom + 4.0, 11.0, "start", grey, FOOTNOTE);
    let width = (right_x + cell_w + MARGIN).max(MARGIN * 2.0 + text_width(FOOTNOTE, 11.0));
    Ok(svg.finish(title, width, bottom + 24.0))
}
