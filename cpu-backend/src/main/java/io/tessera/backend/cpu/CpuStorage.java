package io.tessera.backend.cpu;

import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.TensorStorage;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An ND4J array owned by exactly one tensor: always dense, C order and not a view of another array, so that closing
 * it can free its buffer at once without invalidating anything else.
 */
final class CpuStorage implements TensorStorage {
    final CpuBackend backend;
    final INDArray array;
    private final Shape shape;
    private final DType dtype;
    private boolean closed;

    CpuStorage(CpuBackend backend, INDArray array) {
        this.backend = backend;
        this.array = array;
        this.shape = Shape.of(array.shape());
        this.dtype = dtype(array.dataType());
    }

    static DType dtype(DataType t) {
        return switch (t) {
            case FLOAT -> DType.FLOAT32;
            case DOUBLE -> DType.FLOAT64;
            case LONG -> DType.INT64;
            case BOOL -> DType.BOOL;
            default -> throw new IllegalStateException("ND4J array of type " + t + " has no tensor dtype");
        };
    }

    static DataType nd4j(DType t) {
        return switch (t) {
            case FLOAT32 -> DataType.FLOAT;
            case FLOAT64 -> DataType.DOUBLE;
            case INT64 -> DataType.LONG;
            case BOOL -> DataType.BOOL;
        };
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (array.closeable()) {
                array.close();
            }
        }
    }

    @Override
    public String toString() {
        return "CpuStorage" + shape + " " + dtype + (closed ? " (closed)" : "");
    }
}
