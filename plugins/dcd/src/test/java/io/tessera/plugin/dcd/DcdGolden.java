package io.tessera.plugin.dcd;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.api.io.NpyArray;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.testkit.golden.GoldenCase;
import io.tessera.testkit.golden.Tolerance;
import io.tessera.testkit.golden.GoldenCases;
import java.util.List;

/**
 * One DCD golden case (layout of spec §5: float64 {@code .npy} files, int64 {@code sel_idx}, {@code manifest.json}
 * with hyperparameters and scalars): the bundled cases, then those under {@code -Dtessera.golden.dcd=DIR}. Batch
 * size, pool, K and widths are read from the arrays' shapes; T, α and the logit scale from the manifest.
 */
record DcdGolden(GoldenCase data) {

    static List<DcdGolden> all() {
        return GoldenCases.ofMethod("dcd").stream().map(DcdGolden::new).toList();
    }

    double hp(String key) {
        JsonNode n = data.manifest().path("hyperparameters").path(key);
        if (!n.isNumber()) {
            throw new IllegalStateException(this + ": manifest hyperparameters have no number '" + key + "'");
        }
        return n.asDouble();
    }

    double scalar(String key) {
        JsonNode n = data.manifest().path("scalars").path(key);
        if (!n.isNumber()) {
            throw new IllegalStateException(this + ": manifest scalars have no number '" + key + "'");
        }
        return n.asDouble();
    }

    /** K, from the shape of {@code sel_idx} ({@code [B, K+1]}). */
    int k() {
        return (int) shape("sel_idx")[1] - 1;
    }

    /** Whether each row's teacher ranks the positive first ({@code notes.teacher_rank_positive_first}). */
    boolean[] positiveFirst() {
        JsonNode n = data.manifest().path("notes").path("teacher_rank_positive_first");
        boolean[] out = new boolean[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asBoolean();
        }
        return out;
    }

    NpyArray array(String name) {
        return data.array(name + ".npy");
    }

    double[] doubles(String name) {
        return array(name).toDoubleArray();
    }

    long[] longs(String name) {
        return array(name).toLongArray();
    }

    long[] shape(String name) {
        return array(name).shape();
    }

    Tensor tensor(TensorBackend be, String name) {
        NpyArray a = array(name);
        return be.tensor(a.toDoubleArray(), a.shape());
    }

    /** Element-wise {@code |a − e| <= atol + rtol·|e|}, checked by the test kit's {@link Tolerance}. */
    static void close(String what, double[] actual, double[] expected, double rtol, double atol) {
        new Tolerance(rtol, atol).check(what, actual, expected);
    }

    static void close(String what, double actual, double expected, double rtol, double atol) {
        close(what, new double[] {actual}, new double[] {expected}, rtol, atol);
    }

    @Override
    public String toString() {
        return data.dir().getFileName().toString();
    }
}
