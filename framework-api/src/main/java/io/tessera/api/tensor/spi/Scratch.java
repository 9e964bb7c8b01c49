package io.tessera.api.tensor.spi;

import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Shape;
import java.util.ArrayList;
import java.util.List;

/** Temporaries of one default composition: {@link #t} registers one, {@link #close} frees them all. */
final class Scratch implements AutoCloseable {
    private final TensorKernels k;
    private final List<TensorStorage> temps = new ArrayList<>();

    Scratch(TensorKernels k) {
        this.k = k;
    }

    /** Registers a temporary and returns it. */
    TensorStorage t(TensorStorage s) {
        if (s != null) {
            temps.add(s);
        }
        return s;
    }

    /** A temporary constant of the given values. */
    TensorStorage doubles(double[] v, Shape shape, DType dtype) {
        return t(k.fromDoubles(v, shape, dtype));
    }

    /** A temporary int64 constant. */
    TensorStorage longs(long[] v, Shape shape) {
        return t(k.fromLongs(v, shape));
    }

    /** A temporary scalar of {@code dtype}. */
    TensorStorage scalar(double v, DType dtype) {
        return t(k.filled(Shape.SCALAR, dtype, v));
    }

    @Override
    public void close() {
        for (int i = temps.size() - 1; i >= 0; i--) {
            temps.get(i).close();
        }
        temps.clear();
    }
}
