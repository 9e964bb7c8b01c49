package io.tessera.plugin.d2nwg;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.api.io.NpyArray;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.testkit.golden.GoldenCase;
import io.tessera.testkit.golden.Tolerance;
import io.tessera.testkit.golden.GoldenCases;
import java.nio.file.Files;
import java.util.List;

/**
 * One D2NWG golden case (layout of spec §8: float64 {@code .npy} files, int64 timesteps, {@code manifest.json} with
 * hyperparameters and scalars): the bundled cases, then those under {@code -Dtessera.golden.d2nwg=DIR}. Nothing is
 * assumed about batch size, schedule length or widths: they are read from the arrays' shapes and the manifest.
 */
record D2nwgGolden(GoldenCase data) {

    static List<D2nwgGolden> all() {
        return GoldenCases.ofMethod("d2nwg").stream().map(D2nwgGolden::new).toList();
    }

    JsonNode hp() {
        return data.manifest().path("hyperparameters");
    }

    double hpDouble(String key) {
        JsonNode n = hp().path(key);
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

    boolean has(String name) {
        return Files.isRegularFile(data.dir().resolve(name + ".npy"));
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
