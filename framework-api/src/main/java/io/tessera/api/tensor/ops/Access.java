package io.tessera.api.tensor.ops;

import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.spi.TensorKernels;
import io.tessera.api.tensor.spi.TensorStorage;
import java.util.function.Supplier;

/**
 * The op families' view of a tensor's internals (its storage, its backend's kernels, wrapping a kernel result),
 * installed once by {@link Tensor}. This package is not exported: plugins see {@code Tensor}'s methods only.
 */
public final class Access {
    /** What {@link Tensor} lends the op families. */
    public interface Bridge {
        /** The kernels of the tensor's backend. */
        TensorKernels kernels(Tensor t);

        /** The open storage of {@code t}; throws naming {@code op} and {@code arg} when it is closed. */
        TensorStorage live(Tensor t, String op, String arg);

        /** A kernel result as a new tensor of {@code backend} (it joins the current scope). */
        Tensor wrap(TensorBackend backend, TensorStorage storage);

        /** {@code float32[2, 3] on cpu} style description for messages. */
        String describe(Tensor t);
    }

    private static volatile Bridge bridge;

    private Access() {
    }

    /** Installs the bridge; called once by {@code Tensor}'s static initialiser. */
    public static synchronized void install(Bridge b) {
        if (bridge != null) {
            throw new IllegalStateException("the tensor bridge is installed already");
        }
        bridge = b;
    }

    static TensorKernels kernels(Tensor t) {
        return bridge.kernels(t);
    }

    static TensorStorage live(Tensor t, String op, String arg) {
        return bridge.live(t, op, arg);
    }

    static Tensor wrap(TensorBackend backend, TensorStorage s) {
        return bridge.wrap(backend, s);
    }

    /**
     * The kernel's result as a new tensor of {@code self}'s backend, or an empty tensor of {@code result} and
     * {@code type} when the result has no elements: no kernel sees an empty operation (ND4J refuses most ops on
     * empty arrays; PyTorch gives empty results, found by the fuzz corpus). Public for {@link Tensor}'s own ops;
     * this package is not exported.
     */
    public static Tensor out(Tensor self, Shape result, DType type, Supplier<TensorStorage> kernel) {
        TensorKernels k = kernels(self);
        return wrap(self.backend(), result.size() == 0 ? k.filled(result, type, 0) : kernel.get());
    }

    static String describe(Tensor t) {
        return bridge.describe(t);
    }
}
