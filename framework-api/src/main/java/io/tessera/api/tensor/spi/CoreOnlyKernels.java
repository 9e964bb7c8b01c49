package io.tessera.api.tensor.spi;

import io.tessera.api.tensor.BinaryOp;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Device;
import io.tessera.api.tensor.ReduceOp;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.UnaryOp;
import java.util.List;
import java.util.Set;

/** Forwards the primitive core to a backend and lets every other kernel run its default (see TensorKernels#coreOnly). */
final class CoreOnlyKernels implements TensorKernels {
    private final TensorKernels core;

    CoreOnlyKernels(TensorKernels core) {
        this.core = core;
    }

    @Override
    public String name() {
        return core.name();
    }

    @Override
    public Device device() {
        return core.device();
    }

    @Override
    public Set<String> capabilities() {
        return core.capabilities();
    }

    @Override
    public void close() {
        core.close();
    }

    @Override
    public TensorStorage fromDoubles(double[] data, Shape shape, DType dtype) {
        return core.fromDoubles(data, shape, dtype);
    }

    @Override
    public TensorStorage fromLongs(long[] data, Shape shape) {
        return core.fromLongs(data, shape);
    }

    @Override
    public double[] toDoubles(TensorStorage s) {
        return core.toDoubles(s);
    }

    @Override
    public long[] toLongs(TensorStorage s) {
        return core.toLongs(s);
    }

    @Override
    public void assign(TensorStorage dst, TensorStorage src) {
        core.assign(dst, src);
    }

    @Override
    public TensorStorage cast(TensorStorage s, DType dtype) {
        return core.cast(s, dtype);
    }

    @Override
    public TensorStorage unary(UnaryOp op, TensorStorage x) {
        return core.unary(op, x);
    }

    @Override
    public TensorStorage binary(BinaryOp op, TensorStorage a, TensorStorage b) {
        return core.binary(op, a, b);
    }

    @Override
    public TensorStorage reduce(ReduceOp op, TensorStorage x, int[] axes, boolean keepDim) {
        return core.reduce(op, x, axes, keepDim);
    }

    @Override
    public TensorStorage reshape(TensorStorage x, Shape shape) {
        return core.reshape(x, shape);
    }

    @Override
    public TensorStorage permute(TensorStorage x, int[] perm) {
        return core.permute(x, perm);
    }

    @Override
    public TensorStorage broadcastTo(TensorStorage x, Shape shape) {
        return core.broadcastTo(x, shape);
    }

    @Override
    public TensorStorage concat(List<TensorStorage> xs, int axis) {
        return core.concat(xs, axis);
    }

    @Override
    public TensorStorage slice(TensorStorage x, long[] start, long[] stop, long[] step) {
        return core.slice(x, start, stop, step);
    }

    @Override
    public TensorStorage gather(TensorStorage x, int axis, TensorStorage index) {
        return core.gather(x, axis, index);
    }

    @Override
    public TensorStorage scatterAdd(Shape shape, int axis, TensorStorage index, TensorStorage src) {
        return core.scatterAdd(shape, axis, index, src);
    }

    @Override
    public TensorStorage matmul(TensorStorage a, TensorStorage b) {
        return core.matmul(a, b);
    }

    @Override
    public String toString() {
        return "coreOnly(" + core + ")";
    }
}
