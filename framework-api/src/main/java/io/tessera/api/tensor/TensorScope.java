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
 * loss.backward();                            // h is still there: loss holds it
 * loss.close();                               // closes h too
 * }</pre>
 *
 * <p><b>Graphs.</b> A kept tensor that records gradients takes with it the part of its autograd graph that this scope
 * owns (inputs, intermediates and tensors saved for backward) and <em>holds</em> those tensors: they belong to no
 * scope any more and close when the last tensor holding them closes. The walk also passes through tensors that
 * other results already hold, which is how a result made by nested scopes (a module's scope around a composite
 * op's own scope) keeps every intermediate its backward pass reads, whichever scope created it. It stops at tensors
 * owned by other scopes or by the caller (parameters, inputs, earlier kept results): those live by their own rules.
 *
 * <p>Gradients of leaf tensors belong to their leaf, not to a scope. Long-lived tensors (parameters, buffers,
 * optimizer state) must not belong to a scope at all: create them in {@link Tensors#unscoped} or take them out with
 * {@link Tensors#disown}; {@code Module} and {@code Optimizer} do that for the tensors they register or allocate.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class TensorScope implements AutoCloseable {
    private static final ThreadLocal<Deque<TensorScope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final TensorScope parent;
    private final Thread thread;
    /** Owns nothing: tensors created while it is the innermost scope belong to the caller ({@link Tensors#unscoped}). */
    private final boolean suspended;
    private List<Tensor> owned = new ArrayList<>();
    private boolean closed;

    private TensorScope(TensorScope parent, boolean suspended) {
        this.parent = parent;
        this.thread = Thread.currentThread();
        this.suspended = suspended;
    }

    static TensorScope open() {
        return push(false);
    }

    /** Opens a scope under which new tensors belong to no scope; scopes opened inside it work as usual. */
    static TensorScope openSuspended() {
        return push(true);
    }

    private static TensorScope push(boolean suspended) {
        Deque<TensorScope> stack = STACK.get();
        TensorScope s = new TensorScope(stack.peek(), suspended);
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
        if (suspended) {
            t.ownership().setScope(null);
            return;
        }
        t.ownership().setScope(this);
        owned.add(t);
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Hands {@code t} out of this scope: it moves to the enclosing scope, or to the caller when there is none. When
     * {@code t} records gradients, the graph intermediates its backward pass needs go with it (see the class
     * comment). A tensor this scope does not own is returned unchanged. Returns {@code t} for chaining.
     */
    public <T extends Tensor> T keep(T t) {
        return Ownership.keep(this, t, parent);
    }

    /** Keeps every given tensor (see {@link #keep}). */
    public void keepAll(Iterable<? extends Tensor> tensors) {
        for (Tensor t : tensors) {
            keep(t);
        }
    }

    /** Removes {@code t} from this scope's ownership entirely; the caller closes it. */
    void release(Tensor t) {
        if (t.ownership().scope() == this) {
            t.ownership().setScope(null);
        }
    }

    /** Number of tensors this scope still owns and has not closed. */
    public int liveTensors() {
        int n = 0;
        for (Tensor t : owned) {
            if (t.ownership().scope() == this && !t.isClosed()) {
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
            if (t.ownership().scope() == this) {
                t.ownership().setScope(null);
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
