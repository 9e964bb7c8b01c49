package io.tessera.backend.gpu.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.tensor.BinaryOp;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.spi.TensorStorage;
import io.tessera.testkit.reference.ReferenceKernels;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The host side of the GPU kernels' index arithmetic, without a GPU: the strides, offsets and merged axes the backend
 * passes in its {@code Idx} struct, walked here exactly as the kernels' {@code offsets()} walks them, must read the same
 * elements the reference backend's permute, slice, broadcast and binary ops read.
 */
class IndexPlanTest {
    private final ReferenceKernels ref = new ReferenceKernels();

    /** The device function {@code offsets()} of KernelSources, on the host: operand {@code k}'s offset of element i. */
    private static long offset(GpuKernels.Idx ix, long flat, int k) {
        long o = 0;
        for (int d = ix.dims.length - 1; d >= 0; d--) {
            long n = ix.dims[d];
            long p = flat % n;
            flat /= n;
            o += p * ix.strides[k][d];
        }
        return o;
    }

    private static double[] data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = r.nextInt(1000);
        }
        return d;
    }

    private double[] copyLike(double[] src, long srcOff, GpuKernels.Idx ix, long n) {
        double[] out = new double[(int) n];
        for (long i = 0; i < n; i++) {
            out[(int) (0 + offset(ix, i, 1))] = src[(int) (srcOff + offset(ix, i, 0))];
        }
        return out;
    }

    @Test
    void permuteReadsWhatTheReferenceReads() {
        Shape shape = Shape.of(2, 3, 4, 5);
        double[] x = data((int) shape.size(), 1);
        for (int[] perm : new int[][] {{3, 1, 0, 2}, {0, 1, 2, 3}, {1, 0, 2, 3}, {0, 1, 3, 2}, {3, 2, 1, 0}}) {
            GpuKernels.Plan p = GpuKernels.permutePlan(shape, perm);
            GpuKernels.Idx ix = new GpuKernels.Idx(p.dims(), p.strides(), GpuKernels.contiguous(p.dims()));
            double[] got = copyLike(x, p.offset(), ix, shape.size());
            try (TensorStorage s = ref.fromDoubles(x, shape, DType.FLOAT64); TensorStorage e = ref.permute(s, perm)) {
                assertThat(got).as(java.util.Arrays.toString(perm)).containsExactly(ref.toDoubles(e));
            }
        }
    }

    @Test
    void slicesWithStepsReadWhatTheReferenceReads() {
        Shape shape = Shape.of(5, 1, 7, 6);
        double[] x = data((int) shape.size(), 2);
        long[][][] cases = {
                {{0, 0, 0, 0}, {5, 1, 7, 6}, {1, 1, 1, 1}},
                {{1, 0, 2, 1}, {5, 1, 7, 6}, {2, 1, 3, 2}},
                {{4, 0, 6, 5}, {5, 1, 7, 6}, {1, 1, 1, 1}},
                {{0, 0, 1, 0}, {3, 1, 6, 6}, {1, 1, 4, 5}}};
        for (long[][] c : cases) {
            GpuKernels.Plan p = GpuKernels.slicePlan(shape, c[0], c[1], c[2]);
            long n = Shape.of(p.dims()).size();
            GpuKernels.Idx ix = new GpuKernels.Idx(p.dims(), p.strides(), GpuKernels.contiguous(p.dims()));
            double[] got = copyLike(x, p.offset(), ix, n);
            try (TensorStorage s = ref.fromDoubles(x, shape, DType.FLOAT64);
                 TensorStorage e = ref.slice(s, c[0], c[1], c[2])) {
                assertThat(Shape.of(p.dims())).isEqualTo(e.shape());
                assertThat(got).containsExactly(ref.toDoubles(e));
            }
        }
    }

    @Test
    void broadcastingBinaryOperandsReadWhatTheReferenceReads() {
        Shape[][] pairs = {
                {Shape.of(3, 1, 4), Shape.of(1, 5, 4)},
                {Shape.of(2, 3, 4), Shape.of(2, 3, 4)},
                {Shape.of(6, 1), Shape.of(1, 1)},
                {Shape.of(1, 2, 1, 3), Shape.of(4, 2, 5, 1)}};
        for (Shape[] ab : pairs) {
            Shape out = Shape.broadcast("add", ab[0], ab[1]);
            double[] a = data((int) ab[0].size(), 3);
            double[] b = data((int) ab[1].size(), 4);
            GpuKernels.Idx ix = new GpuKernels.Idx(out.dims(), GpuKernels.broadcastStrides(ab[0], out),
                    GpuKernels.broadcastStrides(ab[1], out));
            double[] got = new double[(int) out.size()];
            for (long i = 0; i < out.size(); i++) {
                got[(int) i] = a[(int) offset(ix, i, 0)] + b[(int) offset(ix, i, 1)];
            }
            try (TensorStorage sa = ref.fromDoubles(a, ab[0], DType.FLOAT64);
                 TensorStorage sb = ref.fromDoubles(b, ab[1], DType.FLOAT64);
                 TensorStorage e = ref.binary(BinaryOp.ADD, sa, sb)) {
                assertThat(got).as(ab[0] + " + " + ab[1]).containsExactly(ref.toDoubles(e));
            }
        }
    }

    @Test
    void assignBroadcastsALowerRankSource() {
        Shape dst = Shape.of(2, 3, 4);
        Shape src = Shape.of(4);
        double[] x = data(4, 5);
        GpuKernels.Idx ix = new GpuKernels.Idx(dst.dims(), GpuKernels.broadcastStrides(src, dst),
                GpuKernels.contiguous(dst.dims()));
        double[] got = copyLike(x, 0, ix, dst.size());
        for (int i = 0; i < got.length; i++) {
            assertThat(got[i]).isEqualTo(x[i % 4]);
        }
    }

    @Test
    void reductionsGroupWhatTheReferenceGroups() {
        Shape shape = Shape.of(3, 4, 5, 2);
        double[] x = data((int) shape.size(), 6);
        for (int[] axes : new int[][] {{0}, {1}, {3}, {0, 2}, {1, 3}, {0, 1, 2, 3}, {1, 2}}) {
            GpuKernels.ReducePlan p = GpuKernels.reducePlan(shape, axes);
            double[] got = new double[(int) p.outputs()];
            for (long g = 0; g < p.outputs(); g++) {
                long base = offset(p.kept(), g, 0);
                double acc = 0;
                for (long j = 0; j < p.count(); j++) {
                    acc += x[(int) (base + offset(p.red(), j, 0))];
                }
                got[(int) g] = acc;
            }
            try (TensorStorage s = ref.fromDoubles(x, shape, DType.FLOAT64);
                 TensorStorage e = ref.reduce(io.tessera.api.tensor.ReduceOp.SUM, s, axes, false)) {
                assertThat(got).as(java.util.Arrays.toString(axes)).containsExactly(ref.toDoubles(e));
            }
        }
    }

    @Test
    void contiguousAxesMergeAndSizeOneAxesDrop() {
        GpuKernels.Idx ix = new GpuKernels.Idx(new long[] {2, 1, 3, 4}, GpuKernels.contiguous(new long[] {2, 1, 3, 4}),
                GpuKernels.contiguous(new long[] {2, 1, 3, 4}));
        assertThat(ix.dims).containsExactly(24);
        GpuKernels.Plan p = GpuKernels.permutePlan(Shape.of(2, 3, 4), new int[] {0, 2, 1});
        GpuKernels.Idx t = new GpuKernels.Idx(p.dims(), p.strides(), GpuKernels.contiguous(p.dims()));
        assertThat(t.dims).containsExactly(2, 4, 3);
    }
}
