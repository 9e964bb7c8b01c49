package io.tessera.api.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apiguardian.api.API;

/**
 * Owns every tensor created on its thread while it is the innermost open scope, and closes them when it closes,
 * except the ones handed out with {@link #keep}. Scopes nest: a kept tensor moves to the enclosing scope (or, with no
 * enclosing scope, to the caller, who then closes it). Open one with {@link Tensors#scope()}:
 *
 * <pre>{@code
 * Tensor loss;
 * try (TensorScope scope = Tensors.scope()) {
 *     Tensor h = x.matmul(w).relu();          // closed with the scope
 *     loss = scope.keep(h.sum());             // survives the scope
 * }
 * }</pre>
 *
 * <p>Gradients of leaf tensors belong to their leaf, not to a scope. Autograd keeps references to the inputs of each
 * recorded op; call {@link Tensor#backward()} before the scope that created them closes, or it fails loudly
 * naming the closed tensor.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class TensorScope implements AutoCloseable {
    private static final ThreadLocal<Deque<TensorScope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final TensorScope parent;
    private final Thread thread;
    private List<Tensor> owned = new ArrayList<>();
    private boolean closed;

    private TensorScope(TensorScope parent) {
        this.parent = parent;
        this.thread = Thread.currentThread();
    }

    static TensorScope open() {
        Deque<TensorScope> stack = STACK.get();
        TensorScope s = new TensorScope(stack.peek());
        stack.push(s);
        return s;
    }

    /** The innermost open scope of this thread, or null. */
    static TensorScope current() {
        return STACK.get().peek();
    }

    void adopt(Tensor t) {
        if (closed) {
            throw new IllegalStateException("tensor scope is closed");
        }
        t.owner = this;
        owned.add(t);
    }

    /**
     * Hands {@code t} out of this scope: it moves to the enclosing scope, or to the caller when there is none.
     * Returns {@code t} for chaining.
     */
    public <T extends Tensor> T keep(T t) {
        if (t.owner == this && t.gradFn != null) {
            attachGraph(t);
        }
        if (t.owner == this) {
            if (parent != null && !parent.closed) {
                parent.adopt(t);
            } else {
                t.owner = null;
            }
        }
        return t;
    }

    /**
     * Hands the intermediates of {@code root}'s autograd graph that this scope owns over to {@code root}, so that
     * {@code backward()} still finds them after this scope closes; they close with {@code root}. The walk stops at
     * tensors owned elsewhere, so it costs only this scope's own part of the graph.
     */
    private void attachGraph(Tensor root) {
        java.util.Set<Tensor> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        Deque<Tensor> todo = new ArrayDeque<>();
        todo.push(root);
        seen.add(root);
        while (!todo.isEmpty()) {
            Tensor t = todo.pop();
            if (t != root) {
                root.attach(t);
            }
            Autograd.Node n = t.gradFn;
            if (n == null) {
                continue;
            }
            for (Tensor[] group : new Tensor[][] {n.inputs(), n.saved()}) {
                for (Tensor c : group) {
                    if (c != null && c.owner == this && seen.add(c)) {
                        todo.push(c);
                    }
                }
            }
        }
    }

    /** Keeps every given tensor (see {@link #keep}). */
    public void keepAll(Iterable<? extends Tensor> tensors) {
        for (Tensor t : tensors) {
            keep(t);
        }
    }

    /** Removes {@code t} from this scope's ownership entirely; the caller closes it. */
    void release(Tensor t) {
        if (t.owner == this) {
            t.owner = null;
        }
    }

    /** Number of tensors this scope still owns and has not closed. */
    public int liveTensors() {
        int n = 0;
        for (Tensor t : owned) {
            if (t.owner == this && !t.isClosed()) {
                n++;
            }
        }
        return n;
    }

    /** Closes every tensor still owned by this scope. Must be called on the thread that opened it. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a tensor scope must be closed on the thread that opened it ("
                    + thread.getName() + "), not on " + Thread.currentThread().getName());
        }
        closed = true;
        STACK.get().remove(this);
        List<Tensor> list = owned;
        owned = List.of();
        RuntimeException first = null;
        for (Tensor t : list) {
            if (t.owner == this) {
                t.owner = null;
                try {
                    t.close();
                } catch (RuntimeException e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
