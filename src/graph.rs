//! The autograd graph as PyTorch keeps it: which results saved tensors for their backward
//! pass, and whether a backward pass has already freed them.
//!
//! candle can run `backward` through the same graph any number of times; PyTorch frees what
//! each node saved (the inputs of a product, the output of a ReLU, ...) during the first
//! `backward()` and refuses a second pass through such a node unless the first one was asked
//! to keep them (`retain_graph=True`). A second pass would otherwise add the same gradient to
//! every parameter again. Each [`crate::Tensor`] made by a tracked operation carries a
//! [`Node`]: the operation's PyTorch name, the nodes of its inputs, and a flag set when a
//! backward pass without `retain_graph` has gone through it. Nodes are reference counted and
//! go away with the last tensor that reaches them, like PyTorch's graph.
//!
//! Which operations save tensors follows PyTorch's `derivatives.yaml`: `AddBackward0`,
//! `SubBackward0`, `SumBackward0`, `MeanBackward0`, views, transposes and indexing keep only
//! sizes, so a second pass through a graph made of them alone is allowed, as in PyTorch.

use crate::{Result, bail};
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

    /// Every node reachable from `self`, each once.
    fn reachable(self: &Arc<Node>) -> Vec<&Node> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut stack: Vec<&Node> = vec![self];
        while let Some(n) = stack.pop() {
            if seen.insert(n as *const Node) {
                out.push(n);
                stack.extend(n.inputs.iter().map(|i| &**i));
            }
        }
        out
    }

    /// PyTorch's error if a backward pass from this node would go through saved tensors that an
    /// earlier pass freed.
    pub(crate) fn check_not_freed(self: &Arc<Node>) -> Result<()> {
        if self
            .reachable()
            .iter()
            .any(|n| n.saves && n.freed.load(Ordering::Relaxed))
        {
            bail!("{FREED}");
        }
        Ok(())
    }

    /// Marks what a backward pass from this node has used up.
    pub(crate) fn free(self: &Arc<Node>) {
        for n in self.reachable() {
            if n.saves {
                n.freed.store(true, Ordering::Relaxed);
            }
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
        sum.check_not_freed().unwrap();
        sum.free();
        assert!(sum.check_not_freed().is_err());
        let view_only = Node::new("SumBackward0", [Some(&Node::new("ViewBackward0", []))]);
        view_only.free();
        view_only.check_not_freed().unwrap();
    }
}
