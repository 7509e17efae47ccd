//! The "who owns this tensor?" figures (`d2l::owners::Owners`, `owners`, `key_views`), read back
//! from their SVG with an XML parser: every arrow is followed geometrically to the storage box
//! it ends on, so the test checks the picture, not only the labels.

mod common;

use common::tied_net;
use d2l::owners::{Owners, key_views, owners};
use d2l::plot::Figure;
use d2l::prelude::*;
use roxmltree::{Document, Node};

/// A storage box: its number, rectangle and stroke colour.
struct StorageBox {
    number: String,
    rect: (f64, f64, f64, f64),
    stroke: String,
}

/// An arrow: whose slot it starts at, the key, its end point and colour.
struct Edge {
    owner: String,
    key: String,
    end: (f64, f64),
    stroke: String,
}

struct Graph {
    boxes: Vec<StorageBox>,
    edges: Vec<Edge>,
    slots: usize,
}

fn num(n: &Node, attr: &str) -> f64 {
    n.attribute(attr).unwrap().parse().unwrap()
}

fn attr(n: &Node, name: &str) -> String {
    n.attribute(name).unwrap_or("").to_string()
}

fn read(fig: &Figure) -> Graph {
    let doc = Document::parse(fig.svg()).expect("the figure is well-formed XML");
    let of_class = |class: &str| -> Vec<Node> {
        doc.descendants()
            .filter(|n| n.is_element() && n.attribute("class") == Some(class))
            .collect()
    };
    let boxes = of_class("storage")
        .iter()
        .map(|n| StorageBox {
            number: attr(n, "data-param"),
            rect: (num(n, "x"), num(n, "y"), num(n, "width"), num(n, "height")),
            stroke: attr(n, "stroke"),
        })
        .collect();
    let edges = of_class("edge")
        .iter()
        .map(|n| {
            // "M x1 y1 C cx1 cy1 cx2 cy2 x2 y2": the last two numbers are where it ends.
            let d: Vec<f64> = attr(n, "d")
                .split_whitespace()
                .filter_map(|t| t.parse().ok())
                .collect();
            Edge {
                owner: attr(n, "data-owner"),
                key: attr(n, "data-key"),
                end: (d[d.len() - 2], d[d.len() - 1]),
                stroke: attr(n, "stroke"),
            }
        })
        .collect();
    Graph {
        boxes,
        edges,
        slots: of_class("slot").len(),
    }
}

impl Graph {
    /// The number of the box that the arrow from `owner`'s slot `key` ends on (on its border).
    fn target(&self, owner: &str, key: &str) -> String {
        let e = self
            .edges
            .iter()
            .find(|e| e.owner == owner && e.key == key)
            .unwrap_or_else(|| panic!("no arrow from {owner} {key}"));
        let (x, y) = e.end;
        let hits: Vec<&StorageBox> = self
            .boxes
            .iter()
            .filter(|b| {
                let (bx, by, w, h) = b.rect;
                x >= bx - 0.5 && x <= bx + w + 0.5 && y >= by - 0.5 && y <= by + h + 0.5
            })
            .collect();
        assert_eq!(
            hits.len(),
            1,
            "the arrow from {owner} {key} ends on one box"
        );
        assert_eq!(e.stroke, hits[0].stroke, "an arrow has its box's colour");
        hits[0].number.clone()
    }

    fn distinct_colours(&self) -> usize {
        let mut c: Vec<&str> = self.boxes.iter().map(|b| b.stroke.as_str()).collect();
        c.sort();
        c.dedup();
        c.len()
    }
}

#[test]
fn tied_layers_point_at_one_box() -> Result<()> {
    let (shared, net) = tied_net()?;
    let g = read(
        &Owners::new("clone() 之后")
            .model("shared", &shared)
            .model("net", &net)
            .plot()?,
    );
    assert_eq!(g.boxes.len(), 6, "0.*, the shared pair and 6.*");
    assert_eq!(g.slots, 2 + 8);
    assert_eq!(g.target("net", "2.weight"), g.target("net", "4.weight"));
    assert_eq!(g.target("net", "2.bias"), g.target("net", "4.bias"));
    assert_eq!(g.target("shared", "weight"), g.target("net", "2.weight"));
    assert_ne!(g.target("net", "2.weight"), g.target("net", "2.bias"));
    assert_ne!(g.target("net", "0.weight"), g.target("net", "6.weight"));
    assert_eq!(g.distinct_colours(), 6, "one colour per box");
    // The single-model form draws the same boxes.
    assert_eq!(read(&owners(&net, "net")?).boxes.len(), 6);
    Ok(())
}

#[test]
fn a_deep_copy_points_at_boxes_of_its_own() -> Result<()> {
    let (_, net) = tied_net()?;
    let twin = net.deep_copy()?;
    let g = read(
        &Owners::new("deep_copy() 之后")
            .model("net", &net)
            .model("twin", &twin)
            .plot()?,
    );
    assert_eq!(g.boxes.len(), 12);
    for key in ["0.weight", "2.weight", "2.bias", "6.bias"] {
        assert_ne!(g.target("net", key), g.target("twin", key), "{key}");
    }
    // What was shared stays shared inside the copy, as copy.deepcopy keeps it.
    assert_eq!(g.target("twin", "2.weight"), g.target("twin", "4.weight"));
    assert_eq!(g.distinct_colours(), 12, "one colour per box");
    Ok(())
}

#[test]
fn a_clone_kept_as_a_copy_points_at_the_same_boxes() -> Result<()> {
    let layer = Linear::new(2, 1)?;
    let before = layer.clone();
    let fig = Owners::new("clone()")
        .model("layer", &layer)
        .model("before", &before)
        .plot()?;
    let g = read(&fig);
    assert_eq!(g.boxes.len(), 2);
    assert_eq!(g.target("layer", "weight"), g.target("before", "weight"));
    assert!(fig.svg().contains("与 layer 是同一个层"));
    let copy = layer.deep_copy()?;
    let g = read(
        &Owners::new("deep_copy()")
            .model("layer", &layer)
            .model("copy", &copy)
            .plot()?,
    );
    assert_eq!(g.boxes.len(), 4);
    assert_ne!(g.target("layer", "weight"), g.target("copy", "weight"));
    Ok(())
}

#[test]
fn loading_a_tied_state_dict_does_not_tie() -> Result<()> {
    let (_, net) = tied_net()?;
    let untied = sequential![
        Linear::new(4, 8)?,
        ReLU(),
        Linear::new(8, 8)?,
        ReLU(),
        Linear::new(8, 8)?,
        ReLU(),
        Linear::new(8, 1)?
    ];
    untied.load_state_dict(&net.state_dict(), true)?;
    let g = read(
        &Owners::new("load_state_dict 之后")
            .model("untied", &untied)
            .plot()?,
    );
    assert_eq!(g.boxes.len(), 8);
    assert_ne!(
        g.target("untied", "2.weight"),
        g.target("untied", "4.weight")
    );
    // Equal numbers in two boxes: the label shows the same first value in both.
    let svg = Owners::new("x")
        .model("untied", &untied)
        .plot()?
        .svg()
        .to_string();
    let first = untied[2].weight()?.values_f32()?[0];
    assert!(svg.matches(&format!("第一个数 {first:.4}")).count() >= 2);
    Ok(())
}

#[test]
fn state_dict_and_named_parameters_point_at_the_same_boxes() -> Result<()> {
    let (_, net) = tied_net()?;
    let fig = key_views(&net, "两种列法")?;
    assert!(fig.svg().contains("state_dict()：8 个键"));
    assert!(fig.svg().contains("named_parameters()：6 项"));
    let g = read(&fig);
    assert_eq!((g.boxes.len(), g.slots), (6, 8 + 6));
    let sd = |k: &str| g.target("state_dict", k);
    let np = |k: &str| g.target("named_parameters", k);
    assert_eq!(sd("2.weight"), sd("4.weight"));
    assert_eq!(sd("4.bias"), np("2.bias"));
    for key in ["0.weight", "0.bias", "2.weight", "6.bias"] {
        assert_eq!(sd(key), np(key), "{key}");
    }
    assert!(
        !g.edges
            .iter()
            .any(|e| e.owner == "named_parameters" && e.key == "4.weight")
    );
    Ok(())
}

#[test]
fn a_lazy_layer_before_its_first_forward_is_drawn_uninitialized() -> Result<()> {
    let net = sequential![LazyLinear::new(8)];
    let fig = owners(&net, "lazy")?;
    assert!(fig.svg().contains("未初始化"));
    assert_eq!(read(&fig).boxes.len(), 2);
    Ok(())
}
