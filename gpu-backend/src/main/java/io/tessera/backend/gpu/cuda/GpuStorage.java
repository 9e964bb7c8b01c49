package io.tessera.backend.gpu.cuda;

import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.spi.TensorStorage;
import io.tessera.backend.gpu.DeviceAllocator;

/** A dense row-major block of device memory from the backend's caching allocator; closing returns it. */
final class GpuStorage implements TensorStorage {
    final GpuKernels owner;
    final Shape shape;
    final DType dtype;
    final DeviceAllocator.Block block;
    private boolean closed;

    GpuStorage(GpuKernels owner, Shape shape, DType dtype, DeviceAllocator.Block block) {
        this.owner = owner;
        this.shape = shape;
        this.dtype = dtype;
        this.block = block;
    }

    long address() {
        if (closed) {
            throw new IllegalStateException("GPU storage " + this + " is closed");
        }
        return block.address();
    }

    long size() {
        return shape.size();
    }

    long bytes() {
        return shape.size() * dtype.byteSize();
    }

    boolean isClosed() {
        return closed;
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
    public synchronized void close() {
        if (!closed) {
            closed = true;
            owner.release(this);
        }
    }

    @Override
    public String toString() {
        return dtype.name().toLowerCase() + shape + (closed ? " (closed)" : "") + " on " + owner.device();
    }
}
