package io.tessera.plugin.fdconv;

import java.util.Arrays;
import org.apiguardian.api.API;

/**
 * The deterministic frequency groups of FDConv's Fourier weight (spec §5.4): the {@code Hs × Wr} half spectrum of an
 * {@code Hs × Ws} real grid is ordered by exact squared radius and cut into {@code kn} consecutive equal chunks, group
 * 0 holding the lowest frequencies.
 *
 * <p>The radius of row {@code r} uses the signed numerator {@code r̃ = r} for {@code r <= (Hs-1)/2} and
 * {@code r - Hs} above; column {@code c} has numerator {@code c}. The key {@code r̃²·Ws² + c²·Hs²} is
 * {@code (Hs·Ws)²} times the squared radius, so it is compared exactly in 64-bit integers; ties go to the smaller
 * row-major index {@code r·Wr + c}. The official code sorts float32 radii with an unstable sort, so its tie-breaking
 * can differ from this one (spec §5.4, §14); this is the canonical reading.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class FrequencyGroups {
    private final int rows;
    private final int cols;
    private final int width;
    private final int groups;
    private final int[] sortedFlat;
    private final int[] groupOf;

    private FrequencyGroups(int rows, int width, int groups) {
        this.rows = rows;
        this.width = width;
        this.cols = width / 2 + 1;
        this.groups = groups;
        int n = rows * cols;
        long[] keys = new long[n];
        Integer[] order = new Integer[n];
        for (int r = 0; r < rows; r++) {
            long rt = r <= (rows - 1) / 2 ? r : r - rows;
            for (int c = 0; c < cols; c++) {
                keys[r * cols + c] = rt * rt * width * (long) width + (long) c * c * rows * (long) rows;
                order[r * cols + c] = r * cols + c;
            }
        }
        // Arrays.sort on objects is a stable merge sort: equal keys keep ascending flat order
        Arrays.sort(order, (a, b) -> Long.compare(keys[a], keys[b]));
        this.sortedFlat = new int[n];
        this.groupOf = new int[n];
        int per = n / groups;
        for (int i = 0; i < n; i++) {
            sortedFlat[i] = order[i];
            groupOf[order[i]] = i / per;
        }
    }

    /**
     * The groups of the half spectrum of an {@code rows × width} real grid.
     *
     * @throws IllegalArgumentException when {@code width} is odd or the {@code rows · (width/2+1)} positions do not
     *                                  split into {@code groups} equal parts (spec §3)
     */
    public static FrequencyGroups of(int rows, int width, int groups) {
        if (rows < 1 || width < 2 || width % 2 != 0) {
            throw new IllegalArgumentException("frequency groups need rows >= 1 and an even width (the inverse"
                    + " transform infers the width as 2·(Wr−1)), got " + rows + " × " + width
                    + "; FDConv needs Cin·k even");
        }
        long n = (long) rows * (width / 2 + 1);
        if (groups < 1 || n % groups != 0) {
            throw new IllegalArgumentException("the " + rows + " × " + (width / 2 + 1) + " = " + n
                    + " Fourier coefficients do not split into kernel_num=" + groups + " equal groups; choose a"
                    + " kernel_num that divides " + n);
        }
        return new FrequencyGroups(rows, width, groups);
    }

    /** Spectrum rows {@code Hs}. */
    public int rows() {
        return rows;
    }

    /** Half-spectrum columns {@code Wr = Ws/2 + 1}. */
    public int cols() {
        return cols;
    }

    /** Width {@code Ws} of the real grid. */
    public int width() {
        return width;
    }

    /** Number of groups {@code kn}. */
    public int groups() {
        return groups;
    }

    /** Positions per group {@code L = Hs·Wr / kn}. */
    public int groupSize() {
        return rows * cols / groups;
    }

    /** The group of the half-spectrum position {@code (r, c)}. */
    public int groupOf(int r, int c) {
        return groupOf[r * cols + c];
    }

    /** The group of every position, row-major ({@code Hs·Wr} values). */
    public long[] groupOfFlat() {
        long[] out = new long[groupOf.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = groupOf[i];
        }
        return out;
    }

    /** The squared-radius key of {@code (r, c)}, {@code r̃²·Ws² + c²·Hs²}. */
    public long key(int r, int c) {
        long rt = r <= (rows - 1) / 2 ? r : r - rows;
        return rt * rt * width * (long) width + (long) c * c * rows * (long) rows;
    }

    /**
     * The table in the official {@code indices} layout without its leading {@code param_ratio} axis: shape
     * {@code (2, kn, L)} flattened row-major, row indices first, then column indices, each group in canonical order.
     */
    public long[] table() {
        int l = groupSize();
        long[] out = new long[2 * groups * l];
        for (int i = 0; i < sortedFlat.length; i++) {
            out[i] = sortedFlat[i] / cols;
            out[sortedFlat.length + i] = sortedFlat[i] % cols;
        }
        return out;
    }
}
