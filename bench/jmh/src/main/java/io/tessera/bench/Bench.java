package io.tessera.bench;

import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.backend.cpu.CpuBackendProvider;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Shared set-up: the CPU backend as an application gets it, seeded random tensors and ND4J arrays. */
final class Bench {
    static final int[] ONE = {1, 1};

    private Bench() {
    }

    static TensorBackend cpu() {
        CpuBackendProvider p = new CpuBackendProvider();
        if (!p.isAvailable()) {
            throw new IllegalStateException("cpu backend unavailable: " + p.availability().reason());
        }
        return p.create();
    }

    /** A float32 tensor of standard normal values (times {@code scale}) from a seeded generator. */
    static Tensor normal(TensorBackend b, Generator g, double scale, long... shape) {
        return g.normal(b, Shape.of(shape), 0, scale);
    }

    /** The same values as {@code t} in a fresh ND4J array (for the raw ND4J side of a comparison). */
    static INDArray nd4j(Tensor t) {
        long[] shape = t.shape().dims();
        return Nd4j.create(t.toFloatArray(), shape, 'c');
    }
}
