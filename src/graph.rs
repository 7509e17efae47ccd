//! The autograd graph as PyTorch keeps it: which results saved tensors for their backward
//! pass, and whether a backward pass has already freed them.
//!
//! candle can run `backward` through the same graph any number of times; PyTorch frees what
//! each node saved (the inputs of a product, the output of a ReLU, ...) during the first
//! `backward()` and refuses a second pass through such a node unless the first one was asked
//! to keep them (`retain_graph=True`). A second pass would otherwise add the same gradient to
//! every parameter again. Each [`crate::tensor::Tensor`] made by a tracked operation carries a
//! [`Node`]: the operation's PyTorch name, the nodes of its inputs, and a flag set when a
//! backward pass without `retain_graph` has gone through it. Nodes are reference counted and
//! go away with the last tensor that reaches them, like PyTorch's graph.
//!
//! Which operations save tensors follows PyTorch's `derivatives.yaml`: `AddBackward0`,
//! `SubBackward0`, `SumBackward0`, `MeanBackward0`, views, transposes and indexing keep only
//! sizes, so a second pass through a graph made of them alone is allowed, as in PyTorch.

use crate::error::{Result, bail};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const FREED: &str = "Trying to backward through the graph a second time (or directly access \
saved tensors after they have already been freed). Saved intermediate values of the graph are \
freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to \
backward through the graph a second time or if you need to access saved tensors after calling \
backward.";

/// One tracked operation in the graph of a result.
pub(crate) struct Node {
    saves: bool,
    freed: AtomicBool,
    inputs: Vec<Arc<Node>>,
}

/// Whether PyTorch's backward function of that name keeps tensors (not only sizes) from the
/// forward pass.
fn saves_tensors(grad_fn: &str) -> bool {
    !matches!(
        grad_fn,
        "AddBackward0"
            | "AddBackward1"
            | "SubBackward0"
            | "SubBackward1"
            | "SumBackward0"
            | "MeanBackward0"
            | "ViewBackward0"
            | "UnsafeViewBackward0"
            | "ReshapeAliasBackward0"
            | "TBackward0"
            | "SliceBackward0"
            | "SelectBackward0"
            | "AliasBackward0"
            | "SqueezeBackward4"
            | "UnsqueezeBackward0"
            | "NegBackward0"
    )
}

impl Node {
    /// The node of an operation named `grad_fn` whose inputs had the given nodes.
    pub(crate) fn new<'a>(
        grad_fn: &'static str,
        inputs: impl IntoIterator<Item = Option<&'a Arc<Node>>>,
    ) -> Arc<Node> {
        Arc::new(Node {
            saves: saves_tensors(grad_fn),
            freed: AtomicBool::new(false),
            inputs: inputs.into_iter().flatten().cloned().collect(),
        })
    }

    /// The nodes a backward pass from this one goes through that saved tensors for it (each
    /// once), or PyTorch's error if an earlier pass has freed any of them.
    pub(crate) fn saved(self: &Arc<Node>) -> Result<Saved<'_>> {
        let mut seen = HashSet::new();
        let mut saving = Vec::new();
        let mut stack: Vec<&Node> = vec![self];
        while let Some(n) = stack.pop() {
            if seen.insert(n as *const Node) {
                if n.saves {
                    if n.freed.load(Ordering::Relaxed) {
                        bail!("{FREED}");
                    }
                    saving.push(n);
                }
                stack.extend(n.inputs.iter().map(|i| &**i));
            }
        }
        Ok(Saved(saving))
    }
}

/// The nodes of one backward pass that saved tensors (see [`Node::saved`]).
pub(crate) struct Saved<'a>(Vec<&'a Node>);

impl Saved<'_> {
    /// Marks what the pass has used up, so that the next pass through them is refused.
    pub(crate) fn free(self) {
        for n in self.0 {
            n.freed.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_nodes_that_save_tensors_refuse_a_second_pass() {
        let mm = Node::new("MmBackward0", []);
        let sum = Node::new("SumBackward0", [Some(&mm)]);
        sum.saved().unwrap().free();
        assert!(sum.saved().is_err());
        let view_only = Node::new("SumBackward0", [Some(&Node::new("ViewBackward0", []))]);
        view_only.saved().unwrap().free();
        view_only.saved().unwrap();
    }
}
