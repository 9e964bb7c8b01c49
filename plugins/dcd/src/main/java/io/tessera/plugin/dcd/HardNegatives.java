package io.tessera.plugin.dcd;

import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import org.apiguardian.api.API;

/**
 * Teacher-mined hard negatives (docs/methods/dcd.md, spec §3 steps 1-3). The teacher has scored every candidate of
 * each row's pool ({@code T_full [B, N]}, column 0 the positive); the student then sees only the positive and the
 * {@code K} negatives the teacher scores highest: {@code sel_i = [0] ++ the K indices in 1..N-1 with the largest
 * T_full[i, ·], descending, ties to the smaller index} (the official code sorts with an unstable sort, so only this
 * rule fixes the order of ties). The teacher targets come in two orders: aligned ({@code t[i,j] = T_full[i, sel[i,j]]},
 * column j is the same text for teacher and student) and the official code's order (the sorted top-(K+1) values over
 * all N candidates, taken before the positive is moved to the front, so column j may be another text than the
 * student's when the teacher does not rank the positive first). Selection reads values only; it carries no gradient.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class HardNegatives {
    /** The official number of hard negatives ({@code hard_negative = 7} in {@code objectives.py}). */
    public static final int OFFICIAL_K = 7;

    private HardNegatives() {
    }

    /**
     * A selection of {@code K + 1} candidates per row.
     *
     * @param rows    B
     * @param pool    N, the candidates per row the teacher scored (positive included)
     * @param indices {@code B × (K+1)} candidate indices, row-major; column 0 is always 0 (the positive)
     */
    public record Selection(int rows, int pool, long[] indices) {
        public Selection {
            Objects.requireNonNull(indices, "indices");
            if (rows < 1 || pool < 2 || indices.length % rows != 0 || indices.length / rows < 2
                    || indices.length / rows > pool) {
                throw new IllegalArgumentException("selection of " + indices.length + " indices does not fit " + rows
                        + " rows of a pool of " + pool);
            }
        }

        /** K + 1, the candidates per row that reach the student. */
        public int width() {
            return indices.length / rows;
        }

        /** K, the negatives per row. */
        public int negatives() {
            return width() - 1;
        }

        /** The indices as an int64 tensor {@code [B, K+1]}. */
        public Tensor indexTensor(TensorBackend b) {
            return b.tensor(indices, rows, width());
        }

        /** {@code values[i, sel[i, j]]} for a {@code [B, N]} tensor, without gradient ({@code [B, K+1]}). */
        public Tensor gather(Tensor values) {
            checkPool(values, "gather");
            try (var ng = Autograd.noGrad()) {
                Tensor idx = indexTensor(values.backend());
                Tensor out = values.gather(1, idx);
                idx.close();
                return out;
            }
        }

        /** Indices flattened into a {@code [B·N, ·]} table: {@code i·N + sel[i, j]}, {@code [B·(K+1)]} int64. */
        public Tensor flatIndex(TensorBackend b) {
            long[] flat = new long[indices.length];
            int w = width();
            for (int i = 0; i < indices.length; i++) {
                flat[i] = (long) (i / w) * pool + indices[i];
            }
            return b.tensor(flat, flat.length);
        }

        private void checkPool(Tensor values, String op) {
            if (values.rank() != 2 || values.size(0) != rows || values.size(1) != pool) {
                throw new IllegalArgumentException("HardNegatives." + op + ": expected [" + rows + ", " + pool
                        + "] values, got " + values.shape());
            }
        }
    }

    /**
     * The spec rule: the positive, then the {@code k} negatives of largest teacher score in descending order (ties to
     * the smaller index). {@code teacherFull} is {@code [B, N]} with {@code 1 <= k <= N - 1}; scores must be finite.
     */
    public static Selection select(Tensor teacherFull, int k) {
        long[] dims = checkTeacher(teacherFull, k, "select");
        int b = (int) dims[0];
        int n = (int) dims[1];
        double[] t = teacherFull.toDoubleArray();
        long[] sel = new long[b * (k + 1)];
        Integer[] order = new Integer[n - 1];
        for (int i = 0; i < b; i++) {
            final int row = i * n;
            for (int j = 1; j < n; j++) {
                order[j - 1] = j;
            }
            // stable: equal scores keep ascending index order
            Arrays.sort(order, (x, y) -> Double.compare(t[row + y], t[row + x]));
            sel[i * (k + 1)] = 0;
            for (int j = 0; j < k; j++) {
                sel[i * (k + 1) + 1 + j] = order[j];
            }
        }
        return new Selection(b, n, sel);
    }

    /**
     * The teacher targets in the official code's order ({@code [B, K+1]}): each row's {@code k + 1} largest scores
     * over all {@code N} candidates, descending (column 0 is the positive only if the teacher ranks it first).
     */
    public static Tensor officialOrderTargets(Tensor teacherFull, int k) {
        long[] dims = checkTeacher(teacherFull, k, "officialOrderTargets");
        int b = (int) dims[0];
        int n = (int) dims[1];
        double[] t = teacherFull.toDoubleArray();
        double[] out = new double[b * (k + 1)];
        for (int i = 0; i < b; i++) {
            double[] row = Arrays.copyOfRange(t, i * n, (i + 1) * n);
            Arrays.sort(row);
            for (int j = 0; j <= k; j++) {
                out[i * (k + 1) + j] = row[n - 1 - j];
            }
        }
        return teacherFull.backend().tensor(out, b, k + 1).to(teacherFull.dtype());
    }

    /**
     * Random negatives without a teacher (the baseline): the positive, then {@code k} distinct indices of
     * {@code 1..pool-1} drawn uniformly for each of {@code rows} rows.
     */
    public static Selection random(int rows, int pool, int k, SplittableRandom rng) {
        if (k < 1 || k > pool - 1) {
            throw new IllegalArgumentException("K = " + k + " negatives cannot be drawn from a pool of " + pool
                    + " candidates (need 1 <= K <= N - 1)");
        }
        long[] sel = new long[rows * (k + 1)];
        int[] perm = new int[pool - 1];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < perm.length; j++) {
                perm[j] = j + 1;
            }
            for (int j = 0; j < k; j++) {
                int r = j + rng.nextInt(perm.length - j);
                int tmp = perm[j];
                perm[j] = perm[r];
                perm[r] = tmp;
                sel[i * (k + 1) + 1 + j] = perm[j];
            }
        }
        return new Selection(rows, pool, sel);
    }

    private static long[] checkTeacher(Tensor teacherFull, int k, String op) {
        Objects.requireNonNull(teacherFull, "teacherFull");
        if (teacherFull.rank() != 2 || teacherFull.size(0) < 1 || teacherFull.size(1) < 2) {
            throw new IllegalArgumentException("HardNegatives." + op + ": teacher scores must be [B, N] with B >= 1"
                    + " rows and N >= 2 candidates (column 0 the positive), got " + teacherFull.shape());
        }
        if (teacherFull.dtype() != DType.FLOAT32 && teacherFull.dtype() != DType.FLOAT64) {
            throw new IllegalArgumentException("HardNegatives." + op + ": teacher scores must be float32 or float64,"
                    + " got " + teacherFull.dtype());
        }
        long n = teacherFull.size(1);
        if (k < 1 || k > n - 1) {
            throw new IllegalArgumentException("HardNegatives." + op + ": K = " + k + " hard negatives need"
                    + " 1 <= K <= N - 1 = " + (n - 1) + " (the pool has " + n + " candidates)");
        }
        for (double v : teacherFull.toDoubleArray()) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("HardNegatives." + op + ": teacher scores must be finite, found "
                        + v + "; check the teacher's outputs");
            }
        }
        return teacherFull.dims();
    }
}
