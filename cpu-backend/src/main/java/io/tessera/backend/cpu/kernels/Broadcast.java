package io.tessera.backend.cpu.kernels;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Float32 broadcasting as runs: adjacent axes that are both broadcast, or both contiguous in the source, are merged.
 * {@code broadcastTo} of {@code [8, 64, 1, 1] → [8, 64, 32, 32]} (the gradient of a spatial mean) is 512 fills of
 * 1,024 values (ND4J's {@code broadcast} took about 40 ns per output element for that case), and a broadcasting
 * {@code +, −, ×, ÷} such as {@code [B, Cout, Cin, 3, 3] × [B, 1, 1, 3, 3]} (FDConv's kernel modulation) runs as
 * plain loops over runs of the inner merged axis (ND4J's native broadcasting took about 3 ns per element at rank 5).
 */
public final class Broadcast {
    private Broadcast() {
    }

    /**
     * {@code x} (any layout, float32) materialised to {@code target} (same or lower rank, aligned at the trailing axes,
     * each axis equal or 1) in a new C-ordered array; null when {@code x} is not float32 or is empty.
     */
    public static INDArray floats(INDArray x, long[] target) {
        if (x.dataType() != DataType.FLOAT || x.length() == 0 || x.rank() > target.length) {
            return null;
        }
        int r = target.length;
        long[] src = new long[r];
        Arrays.fill(src, 1);
        System.arraycopy(x.shape(), 0, src, r - x.rank(), x.rank());
        long total = 1;
        for (int d = 0; d < r; d++) {
            if (src[d] != target[d] && src[d] != 1) {
                throw new IllegalArgumentException("broadcastTo: cannot broadcast " + Arrays.toString(x.shape())
                        + " to " + Arrays.toString(target) + " (axis " + d + " is " + src[d] + ", not 1 or "
                        + target[d] + ")");
            }
            total *= target[d];
        }
        if (total == 0 || total > Integer.MAX_VALUE) {
            return null;
        }
        // merged axes: sizes and source strides (0 = broadcast), outermost first
        long[] size = new long[r];
        long[] stride = new long[r];
        int n = 0;
        long srcStride = 1;
        for (int d = r - 1; d >= 0; d--) {
            if (target[d] == 1) {
                continue;
            }
            long s = src[d] == 1 ? 0 : srcStride;
            srcStride *= src[d];
            if (n > 0 && (stride[n - 1] == 0 && s == 0 || s != 0 && stride[n - 1] * size[n - 1] == s)) {
                size[n - 1] *= target[d];
                continue;
            }
            size[n] = target[d];
            stride[n] = s;
            n++;
        }
        // reverse to outermost first
        for (int i = 0; i < n / 2; i++) {
            long t = size[i];
            size[i] = size[n - 1 - i];
            size[n - 1 - i] = t;
            t = stride[i];
            stride[i] = stride[n - 1 - i];
            stride[n - 1 - i] = t;
        }
        float[] in = KernelArrays.floats(x);
        INDArray out = KernelArrays.uninitialized(target);
        FloatBuffer ob = KernelArrays.buffer(out);
        if (n == 0) {
            ob.put(0, in[0]);
            return out;
        }
        int run = (int) size[n - 1];
        int runStride = (int) stride[n - 1];
        float[] row = new float[run];
        long[] idx = new long[Math.max(n - 1, 0)];
        int rows = (int) (total / run);
        int srcOffset = 0;
        for (int i = 0; i < rows; i++) {
            if (runStride == 0) {
                Arrays.fill(row, in[srcOffset]);
            } else if (runStride == 1) {
                System.arraycopy(in, srcOffset, row, 0, run);
            } else {
                for (int j = 0; j < run; j++) {
                    row[j] = in[srcOffset + j * runStride];
                }
            }
            ob.put(i * run, row, 0, run);
            // odometer over the outer merged axes
            for (int d = n - 2; d >= 0; d--) {
                idx[d]++;
                srcOffset += (int) stride[d];
                if (idx[d] < size[d]) {
                    break;
                }
                srcOffset -= (int) (stride[d] * size[d]);
                idx[d] = 0;
            }
        }
        return out;
    }

    /** The four arithmetic ops of {@link #binary}. */
    public enum Op {
        ADD, SUB, MUL, DIV
    }

    /**
     * {@code x op y} with NumPy broadcasting to {@code out} (each input of rank at most {@code out}'s, aligned at the
     * trailing axes), float32 in IEEE arithmetic, in a new C-ordered array; null when an input is not float32 or the
     * result is empty or too large for one Java array (the caller then takes ND4J's path).
     */
    public static INDArray binary(Op op, INDArray x, INDArray y, long[] out) {
        if (x.dataType() != DataType.FLOAT || y.dataType() != DataType.FLOAT || x.length() == 0 || y.length() == 0
                || x.rank() > out.length || y.rank() > out.length) {
            return null;
        }
        int r = out.length;
        long total = 1;
        for (long d : out) {
            total *= d;
        }
        if (total == 0 || total > Integer.MAX_VALUE - 8) {
            return null;
        }
        long[] xs = padded(x.shape(), r);
        long[] ys = padded(y.shape(), r);
        // merged axes, innermost first: size and both strides (0 where broadcast)
        long[] size = new long[r];
        long[] sx = new long[r];
        long[] sy = new long[r];
        int n = 0;
        long px = 1;
        long py = 1;
        for (int d = r - 1; d >= 0; d--) {
            if ((xs[d] != 1 && xs[d] != out[d]) || (ys[d] != 1 && ys[d] != out[d])) {
                return null;
            }
            if (out[d] == 1) {
                continue;
            }
            long a = xs[d] == 1 ? 0 : px;
            long b = ys[d] == 1 ? 0 : py;
            px *= xs[d];
            py *= ys[d];
            if (n > 0 && a == sx[n - 1] * size[n - 1] && b == sy[n - 1] * size[n - 1]) {
                size[n - 1] *= out[d];
                continue;
            }
            size[n] = out[d];
            sx[n] = a;
            sy[n] = b;
            n++;
        }
        float[] a = KernelArrays.floats(x);
        float[] b = KernelArrays.floats(y);
        float[] o = new float[(int) total];
        if (n == 0) {
            o[0] = apply(op, a[0], b[0]);
            return KernelArrays.array(o, out);
        }
        int run = (int) size[0];
        int ix = (int) sx[0];
        int iy = (int) sy[0];
        int rows = (int) (total / run);
        long[] idx = new long[n];
        int ox = 0;
        int oy = 0;
        for (int row = 0; row < rows; row++) {
            runOf(op, a, ox, ix, b, oy, iy, o, row * run, run);
            // odometer over the outer merged axes (index 1 is the next-innermost)
            for (int d = 1; d < n; d++) {
                idx[d]++;
                ox += (int) sx[d];
                oy += (int) sy[d];
                if (idx[d] < size[d]) {
                    break;
                }
                ox -= (int) (sx[d] * size[d]);
                oy -= (int) (sy[d] * size[d]);
                idx[d] = 0;
            }
        }
        return KernelArrays.array(o, out);
    }

    private static long[] padded(long[] shape, int r) {
        long[] p = new long[r];
        Arrays.fill(p, 1);
        System.arraycopy(shape, 0, p, r - shape.length, shape.length);
        return p;
    }

    private static float apply(Op op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
        };
    }

    /** {@code o[oo + j] = a[ao + j·sa] op b[bo + j·sb]} for {@code j < run}; common stride pairs have own loops. */
    private static void runOf(Op op, float[] a, int ao, int sa, float[] b, int bo, int sb, float[] o, int oo, int run) {
        if (sa == 1 && sb == 0) {
            float v = b[bo];
            switch (op) {
                case ADD -> { for (int j = 0; j < run; j++) { o[oo + j] = a[ao + j] + v; } }
                case SUB -> { for (int j = 0; j < run; j++) { o[oo + j] = a[ao + j] - v; } }
                case MUL -> { for (int j = 0; j < run; j++) { o[oo + j] = a[ao + j] * v; } }
                default -> { for (int j = 0; j < run; j++) { o[oo + j] = a[ao + j] / v; } }
            }
        } else if (sa == 1 && sb == 1) {
            switch (op) {
                case ADD -> { for (int j = 0; j < run; j++) { o[oo + j] = a[ao + j] + b[bo + j]; } }
                case SUB -> { for (int j = 0; j < run; j++) { o[oo + j] = a[ao + j] - b[bo + j]; } }
                case MUL -> { for (int j = 0; j < run; j++) { o[oo + j] = a[ao + j] * b[bo + j]; } }
                default -> { for (int j = 0; j < run; j++) { o[oo + j] = a[ao + j] / b[bo + j]; } }
            }
        } else if (sa == 0 && sb == 1) {
            float v = a[ao];
            switch (op) {
                case ADD -> { for (int j = 0; j < run; j++) { o[oo + j] = v + b[bo + j]; } }
                case SUB -> { for (int j = 0; j < run; j++) { o[oo + j] = v - b[bo + j]; } }
                case MUL -> { for (int j = 0; j < run; j++) { o[oo + j] = v * b[bo + j]; } }
                default -> { for (int j = 0; j < run; j++) { o[oo + j] = v / b[bo + j]; } }
            }
        } else {
            for (int j = 0; j < run; j++) {
                o[oo + j] = apply(op, a[ao + j * sa], b[bo + j * sb]);
            }
        }
    }
}
