package io.tessera.backend.cpu.kernels;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.api.io.NpyArray;
import io.tessera.testkit.golden.GoldenCase;
import io.tessera.testkit.golden.GoldenCases;
import io.tessera.testkit.golden.Tolerance;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Loads golden cases of the bundled op vectors (or {@code -Dtessera.golden.ops}) into ND4J arrays and checks results. */
final class Goldens {
    private static List<GoldenCase> all;

    private Goldens() {
    }

    /** Every case whose test id is one of {@code tests}; fails when none is found, so a renamed test is noticed. */
    static synchronized List<GoldenCase> cases(String... tests) {
        if (all == null) {
            all = GoldenCases.list(GoldenCases.opsRoot());
        }
        Set<String> wanted = Set.of(tests);
        List<GoldenCase> out = all.stream().filter(c -> wanted.contains(c.test())).toList();
        if (out.isEmpty()) {
            throw new IllegalStateException("no golden case for tests " + Arrays.toString(tests) + " under "
                    + GoldenCases.opsRoot());
        }
        return out;
    }

    private static GoldenCase.Entry entry(List<GoldenCase.Entry> entries, String name, GoldenCase c) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(c + " has no entry named " + name));
    }

    static INDArray toArray(NpyArray a) {
        long[] shape = a.shape();
        if (a.descr().equals("<i8")) {
            return Nd4j.createFromArray(a.toLongArray()).reshape('c', shape);
        }
        INDArray flat = Nd4j.createFromArray(a.toFloatArray());
        return shape.length == 0 ? flat.reshape() : flat.reshape('c', shape);
    }

    static INDArray input(GoldenCase c, String name) {
        return toArray(c.array(entry(c.inputs(), name, c)));
    }

    static INDArray upstream(GoldenCase c) {
        return toArray(c.array(c.upstreamGrad().orElseThrow(() -> new AssertionError(c + " is forward-only"))));
    }

    static int[] ints(GoldenCase c, String attribute) {
        JsonNode n = c.attributes().path(attribute);
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asInt();
        }
        return out;
    }

    /** Compares {@code actual} with the output named {@code name}, shape and values within the manifest tolerance. */
    static void checkOutput(GoldenCase c, String name, INDArray actual) {
        check(c, "output " + name, c.array(entry(c.outputs(), name, c)), actual);
    }

    /** Compares {@code actual} with the gradient with respect to the input {@code wrt}. */
    static void checkGrad(GoldenCase c, String wrt, INDArray actual) {
        GoldenCase.Entry e = c.grads().stream().filter(g -> g.json().path("wrt").asText().equals(wrt)).findFirst()
                .orElseThrow(() -> new AssertionError(c + " has no gradient with respect to " + wrt));
        check(c, "gradient wrt " + wrt, c.array(e), actual);
    }

    static void check(GoldenCase c, String what, NpyArray expected, INDArray actual) {
        String label = c + " " + what;
        if (actual == null) {
            throw new AssertionError(label + ": no result");
        }
        long[] es = expected.shape();
        long[] as = actual.shape();
        if (!Arrays.equals(es, as) && !(es.length == 0 && actual.length() == 1)) {
            throw new AssertionError(label + ": shape " + Arrays.toString(as) + ", expected " + Arrays.toString(es));
        }
        if (expected.descr().equals("<i8")) {
            Tolerance.checkExact(label, actual.dup('c').castTo(DataType.INT64).data().asLong(), expected.toLongArray());
        } else {
            c.tolerance().check(label, actual.dup('c').castTo(DataType.FLOAT).data().asFloat(),
                    expected.toFloatArray());
        }
    }
}
