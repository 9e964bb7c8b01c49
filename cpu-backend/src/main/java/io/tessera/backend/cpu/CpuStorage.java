package io.tessera.backend.cpu;

import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.spi.TensorStorage;
import io.tessera.backend.cpu.kernels.Buffers;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An ND4J array owned by exactly one tensor: always dense, C order and not a view of another array, so that closing
 * it can free its buffer at once without invalidating anything else.
 */
final class CpuStorage implements TensorStorage {
    final CpuBackend backend;
    private INDArray array;
    /** For a deferred result: computes {@link #array} on first use, while {@link #inputs} are still open. */
    private Supplier<INDArray> pending;
    private Object recipe;
    private CpuStorage[] inputs;
    private final Shape shape;
    private final DType dtype;
    private boolean closed;

    CpuStorage(CpuBackend backend, INDArray array) {
        this.backend = backend;
        this.array = array;
        this.shape = Shape.of(array.shape());
        this.dtype = dtype(array.dataType());
        backend.openStorages.incrementAndGet();
    }

    /**
     * A result computed on first use, e.g. the input gradient of a convolution, which autograd drops unused when the
     * input needs no gradient (a network's first layer). The {@code inputs} keep their memory (even once closed)
     * until this result is computed or closed, and are computed themselves when they are deferred too;
     * {@code compute} must read only their arrays. Before an input is modified in place, this result is computed
     * ({@link #materializeDependents()}), so it always sees the inputs as they were when it was made. {@code recipe}
     * describes the computation for kernels that can use the result without computing it (see {@link CpuBackend}).
     */
    CpuStorage(CpuBackend backend, Shape shape, DType dtype, Object recipe, Supplier<INDArray> compute,
               CpuStorage... inputs) {
        this.backend = backend;
        this.pending = compute;
        this.recipe = recipe;
        this.inputs = inputs;
        this.shape = shape;
        this.dtype = dtype;
        for (CpuStorage in : inputs) {
            in.hold(this);
        }
        backend.openStorages.incrementAndGet();
    }

    /** What this storage will compute while it is deferred, else null. */
    synchronized Object recipe() {
        return array == null && pending != null ? recipe : null;
    }

    /** The array, computed now if deferred. */
    synchronized INDArray array() {
        if (array == null && pending != null) {
            array = pending.get();
            dropInputs();
        }
        return array;
    }

    /** Deferred results that still need this storage's memory. */
    private List<CpuStorage> dependents;

    private synchronized void hold(CpuStorage dependent) {
        if (dependents == null) {
            dependents = new ArrayList<>(2);
        }
        dependents.add(dependent);
    }

    private synchronized void unhold(CpuStorage dependent) {
        dependents.remove(dependent);
        if (dependents.isEmpty() && closed) {
            dropInputs();
            free();
        }
    }

    /** Computes every deferred result that reads this storage: call before modifying it in place. */
    void materializeDependents() {
        List<CpuStorage> ds;
        synchronized (this) {
            if (dependents == null || dependents.isEmpty()) {
                return;
            }
            ds = new ArrayList<>(dependents);
        }
        for (CpuStorage d : ds) {
            d.array();
        }
    }

    private void dropInputs() {
        CpuStorage[] in = inputs;
        pending = null;
        recipe = null;
        inputs = null;
        if (in != null) {
            for (CpuStorage c : in) {
                c.unhold(this);
            }
        }
    }

    /** Returns the buffer to the kernels' pool (large dense arrays) or frees it at once. */
    private void free() {
        if (array != null) {
            Buffers.release(array);
            array = null;
        }
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
    public synchronized void close() {
        if (!closed) {
            closed = true;
            backend.openStorages.decrementAndGet();
            if (dependents == null || dependents.isEmpty()) {
                dropInputs();
                free();
            }
        }
    }

    @Override
    public String toString() {
        return "CpuStorage" + shape + " " + dtype + (closed ? " (closed)" : "");
    }
}
