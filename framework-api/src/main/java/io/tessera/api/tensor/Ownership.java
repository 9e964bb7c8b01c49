package io.tessera.api.tensor;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Who closes a tensor, in one place (docs/tensor-api.md, "Memory: scopes"). Every tensor has one {@code Ownership}:
 * the {@link TensorScope} that owns it (or none: the caller, a module or a graph result closes it), how many graph
 * results hold it, and the graph intermediates it holds itself. Scopes ({@link TensorScope#keep}), {@link
 * Tensors#disown}, graph holds (kept results and kernel ops that save tensors for backward) and leaf gradients all
 * go through the methods here; {@link Tensor#close()} ends this tensor's holds.
 */
final class Ownership {
    private final Tensor tensor;
    /** The scope that closes the tensor, or null when the caller, a module or a graph does. */
    private TensorScope scope;
    /**
     * How many tensors hold this one as a graph intermediate (see {@link #hold}), plus one for an explicit
     * {@link Tensors#disown} of a held tensor. A held tensor belongs to no scope and closes when the last hold ends.
     */
    private int holders;
    /** Graph intermediates this tensor holds (its backward pass reads them); each hold ends when it closes. */
    private Set<Tensor> held;

    Ownership(Tensor tensor) {
        this.tensor = tensor;
    }

    /** A new tensor joins the innermost open scope of this thread, if any. */
    void joinCurrentScope() {
        TensorScope s = TensorScope.current();
        if (s != null) {
            s.adopt(tensor);
        }
    }

    /** The owning scope, or null. */
    TensorScope scope() {
        return scope;
    }

    /** Called by {@link TensorScope} when it takes or gives up the tensor. */
    void setScope(TensorScope s) {
        scope = s;
    }

    /** Takes the tensor out of its scope (if any): the caller (or whoever stores it) closes it from now on. */
    void leaveScope() {
        if (scope != null) {
            scope.release(tensor);
        }
    }

    /** Makes the tensor the caller's: out of its scope, a tensor some scope made now belongs to nobody. */
    static Tensor own(Tensor t) {
        t.ownership().leaveScope();
        return t;
    }

    /**
     * Makes {@code t} live at least as long as this tensor: it leaves its scope (if any) and closes when the last
     * tensor holding it closes. Several results may hold the same intermediate (two outputs of one composite, or a
     * result kept at two nesting levels); each holds it once.
     */
    void hold(Tensor t) {
        if (t == tensor || t == null || t.isClosed()) {
            return;
        }
        t.ownership().leaveScope();
        if (held == null) {
            held = new LinkedHashSet<>();
        }
        if (held.add(t)) {
            t.ownership().holders++;
        }
    }

    /** Ends every hold of this (closing) tensor; intermediates nobody else holds close. */
    void releaseHolds() {
        if (held != null) {
            Set<Tensor> a = held;
            held = null;
            for (Tensor t : a) {
                t.ownership().letGo();
            }
        }
    }

    /** Ends one hold on this tensor; the last one closes it. */
    private void letGo() {
        if (--holders <= 0) {
            holders = 0;
            tensor.close();
        }
    }

    /** Whether a graph result holds the tensor (it then belongs to no scope). */
    boolean isHeld() {
        return holders > 0;
    }

    // ----------------------------------------------------------------------------------------- scopes and disown

    /** {@link TensorScope#keep}: out of {@code s} to its parent (or the caller), with the graph part it needs. */
    static <T extends Tensor> T keep(TensorScope s, T t, TensorScope parent) {
        if (t.ownership().scope == s) {
            handOut(s, t);
            if (parent != null && !parent.isClosed()) {
                parent.adopt(t);
            }
        }
        return t;
    }

    /** {@link Tensors#disown}: out of whichever scope owns it (with its graph part); a held tensor stays open. */
    static <T extends Tensor> T disown(T t) {
        Ownership o = t.ownership();
        if (o.scope != null) {
            handOut(o.scope, t);
        } else if (o.holders > 0) {
            o.holders++;
        }
        return t;
    }

    /** Takes {@code t} and the graph part it needs from {@code s}; {@code t} then belongs to nobody. */
    private static void handOut(TensorScope s, Tensor t) {
        if (t.gradFn != null) {
            holdGraph(s, t);
        }
        s.release(t);
    }

    /**
     * Makes {@code root} hold the intermediates of its autograd graph that {@code s} owns, so that {@code backward()}
     * still finds them after {@code s} closes. The walk goes on through tensors that other results already hold
     * (intermediates of composite ops kept out of inner scopes), taking a hold on them too, so that {@code s}'s
     * tensors behind them are found and nothing closes while {@code root} may still need it. It stops at tensors
     * owned by other scopes or by nobody.
     */
    private static void holdGraph(TensorScope s, Tensor root) {
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Tensor> todo = new ArrayDeque<>();
        todo.push(root);
        seen.add(root);
        while (!todo.isEmpty()) {
            Autograd.Node n = todo.pop().gradFn;
            if (n == null) {
                continue;
            }
            for (Tensor[] group : new Tensor[][] {n.inputs(), n.saved()}) {
                for (Tensor c : group) {
                    if (c == null || c.isClosed() || !seen.add(c)) {
                        continue;
                    }
                    Ownership co = c.ownership();
                    if (co.scope == s || (co.scope == null && co.holders > 0)) {
                        root.ownership().hold(c);
                        todo.push(c);
                    }
                }
            }
        }
    }
}
