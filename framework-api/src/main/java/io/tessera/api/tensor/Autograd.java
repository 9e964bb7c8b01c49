package io.tessera.api.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * Reverse-mode automatic differentiation over the ops {@link Tensor} records.
 *
 * <p>Every op on tensors records, when gradients are enabled and one of its inputs {@link Tensor#requiresGrad()},
 * a node holding its inputs and a backward function (the vector-Jacobian product). Ops composed of other ops get
 * their gradient from their parts. {@link Tensor#backward()} walks the graph from the output in reverse topological
 * order and accumulates into {@link Tensor#grad()} of the leaves (tensors created by the user with
 * {@code requiresGrad(true)}); repeated backward passes add up until {@link Tensor#zeroGrad()}.
 *
 * <p>Gradient recording is a per-thread mode: {@link #noGrad()} opens a section in which nothing is recorded (the
 * backward pass itself runs in one, so gradients are never differentiated again).
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Autograd {
    private static final ThreadLocal<int[]> NO_GRAD_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Autograd() {
    }

    /**
     * The vector-Jacobian product of one recorded op: given the gradient of the loss w.r.t. the op's output, returns
     * the gradient w.r.t. each input, in input order (null for an input that gets none). Each returned gradient has
     * its input's shape.
     */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    /** A section without gradient recording; close it to restore the previous mode. */
    @API(status = API.Status.STABLE, since = "1.0")
    public static final class NoGradSection implements AutoCloseable {
        private boolean closed;

        private NoGradSection() {
            NO_GRAD_DEPTH.get()[0]++;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                NO_GRAD_DEPTH.get()[0]--;
            }
        }
    }

    /** Opens a section in which ops record nothing: {@code try (var ng = Autograd.noGrad()) {...}}. */
    public static NoGradSection noGrad() {
        return new NoGradSection();
    }

    /** Whether ops on this thread currently record gradients. */
    public static boolean isGradEnabled() {
        return NO_GRAD_DEPTH.get()[0] == 0;
    }

    /**
     * Records a custom differentiable op: when gradients are enabled and an input requires them, {@code output}
     * becomes a non-leaf whose gradient flows to {@code inputs} through {@code backward}. Returns {@code output}.
     * Use this for ops with a hand-written backward; ops composed of tensor methods need nothing.
     */
    public static Tensor record(String op, Tensor output, Tensor[] inputs, Backward backward) {
        return record(op, output, inputs, backward, new Tensor[0]);
    }

    /**
     * Records a custom op whose backward also reads {@code saved} tensors that are not among its inputs (indices,
     * statistics). Scopes keep saved tensors alive as long as the graph, like inputs.
     */
    public static Tensor record(String op, Tensor output, Tensor[] inputs, Backward backward, Tensor... saved) {
        if (!isGradEnabled() || !output.dtype().isFloatingPoint()) {
            return output;
        }
        boolean any = false;
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                any = true;
                break;
            }
        }
        if (!any) {
            return output;
        }
        if (output.gradFn != null || output.requiresGrad()) {
            throw new IllegalArgumentException(op + ": the output tensor is already part of a graph; record a new"
                    + " tensor");
        }
        output.gradFn = new Node(op, inputs.clone(), backward, saved.clone());
        output.requiresGradFlag = true;
        return output;
    }

    /** One recorded op. */
    record Node(String op, Tensor[] inputs, Backward backward, Tensor[] saved) {
    }

    /** The backward pass from {@code root} with upstream gradient {@code gradRoot} (same shape as root). */
    static void run(Tensor root, Tensor gradRoot) {
        List<Tensor> order = topologicalOrder(root);
        try (TensorScope engine = TensorScope.open(); NoGradSection ng = noGrad()) {
            Map<Tensor, Tensor> grads = new IdentityHashMap<>();
            Tensor g0 = gradRoot.copy();
            if (root.gradFn == null) {
                accumulateLeaf(root, g0, engine);
                return;
            }
            grads.put(root, g0);
            for (Tensor t : order) {
                Tensor g = grads.remove(t);
                if (g == null) {
                    continue;
                }
                Node node = t.gradFn;
                for (int i = 0; i < node.inputs.length; i++) {
                    Tensor in = node.inputs[i];
                    if (in != null && in.requiresGrad() && in.isClosed()) {
                        throw new IllegalStateException("backward: input " + i + " " + in.describe()
                                + " of op '" + node.op + "' was closed before backward() ran; call backward()"
                                + " inside the scope that created the graph, or keep(...) the tensors it needs");
                    }
                }
                try (TensorScope step = TensorScope.open()) {
                    Tensor[] ins = node.backward.apply(g);
                    if (ins.length != node.inputs.length) {
                        throw new IllegalStateException("backward of '" + node.op + "' returned " + ins.length
                                + " gradients for " + node.inputs.length + " inputs");
                    }
                    for (int i = 0; i < ins.length; i++) {
                        Tensor in = node.inputs[i];
                        Tensor gi = ins[i];
                        if (in == null || gi == null || !in.requiresGrad()) {
                            continue;
                        }
                        if (!gi.shape().equals(in.shape())) {
                            throw new IllegalStateException("backward of '" + node.op + "' returned a gradient of"
                                    + " shape " + gi.shape() + " for input " + i + " of shape " + in.shape());
                        }
                        if (in.gradFn == null) {
                            accumulateLeaf(in, gi, step);
                            continue;
                        }
                        Tensor owned = gi.ownership().scope() == step ? gi : gi.copy();
                        Tensor prev = grads.get(in);
                        if (prev == null) {
                            step.keep(owned);
                            grads.put(in, owned);
                        } else {
                            Tensor sum = step.keep(prev.add(owned));
                            prev.close();
                            grads.put(in, sum);
                        }
                    }
                }
                g.close();
            }
        }
    }

    private static void accumulateLeaf(Tensor leaf, Tensor g, TensorScope scope) {
        if (!leaf.requiresGrad()) {
            return;
        }
        Tensor existing = leaf.grad;
        if (existing == null || existing.isClosed()) {
            Tensor own = Ownership.own(g.ownership().scope() == scope ? g : g.copy());
            leaf.grad = own;
        } else {
            existing.addInPlace(g);
        }
    }

    /** Nodes reachable from root, outputs before inputs. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> post = new ArrayList<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        seen.add(root);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Tensor t = (Tensor) top[0];
            int next = (Integer) top[1];
            Tensor[] ins = t.gradFn == null ? new Tensor[0] : t.gradFn.inputs;
            if (next < ins.length) {
                top[1] = next + 1;
                Tensor c = ins[next];
                if (c != null && c.gradFn != null && seen.add(c)) {
                    stack.push(new Object[] {c, 0});
                }
            } else {
                stack.pop();
                post.add(t);
            }
        }
        Collections.reverse(post);
        return post;
    }
}
