package io.tessera.testkit.reference;

import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.spi.TensorStorage;

/**
 * Heap storage of the reference backend: int64 values in {@code longs}, every other dtype in {@code doubles} (float32
 * values are kept rounded to float, bools as 0/1).
 */
final class ReferenceStorage implements TensorStorage {
    final ReferenceKernels owner;
    final Shape shape;
    final DType dtype;
    double[] doubles;
    long[] longs;
    boolean closed;

    ReferenceStorage(ReferenceKernels owner, Shape shape, DType dtype, double[] doubles, long[] longs) {
        this.owner = owner;
        this.shape = shape;
        this.dtype = dtype;
        this.doubles = doubles;
        this.longs = longs;
        owner.open.incrementAndGet();
    }

    /** The value at flat index {@code i} as a double. */
    double get(int i) {
        return dtype == DType.INT64 ? longs[i] : doubles[i];
    }

    int size() {
        return dtype == DType.INT64 ? longs.length : doubles.length;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            doubles = null;
            longs = null;
            owner.open.decrementAndGet();
        }
    }

    @Override
    public String toString() {
        return "ReferenceStorage(" + dtype + shape + (closed ? ", closed" : "") + ")";
    }
}
