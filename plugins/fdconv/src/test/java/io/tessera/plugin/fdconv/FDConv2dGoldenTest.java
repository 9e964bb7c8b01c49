package io.tessera.plugin.fdconv;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.api.nn.LoadReport;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.testkit.TestBackends;
import io.tessera.testkit.golden.Tolerance;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every FDConv golden case (bundled copy of {@code golden/fdconv}, plus {@code -Dtessera.golden.fdconv=DIR}):
 * outputs, traces, gradients of {@code sum(out · probe)}, group tables and FBM masks, within the manifest's tolerances
 * (spec §11).
 */
class FDConv2dGoldenTest {
    private static TensorBackend be;

    @BeforeAll
    static void backend() {
        // -Dtessera.test.backend=gpu runs the goldens on another backend (gpu-backend/device-check.sh)
        be = TestBackends.named(System.getProperty("tessera.test.backend", "cpu"));
    }

    @AfterAll
    static void close() {
        be.close();
    }

    static Stream<FdconvGolden> cases() {
        return FdconvGolden.all().stream();
    }

    private static final Map<String, String> TRACE_FILES = Map.of(
            "gap", "trace/gap.npy",
            "ksm_channel_att", "trace/ksm_channel_att.npy",
            "ksm_filter_att", "trace/ksm_filter_att.npy",
            "ksm_spatial_att", "trace/ksm_spatial_att.npy",
            "ksm_kernel_att", "trace/ksm_kernel_att.npy",
            "ksm_local_att", "trace/ksm_local_att.npy",
            "fdw_kernel", "trace/fdw_kernel.npy",
            "aggregate_kernel", "trace/aggregate_kernel.npy",
            "fbm_out", "trace/fbm_out.npy");

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void officialCheckpointLoadsByName(FdconvGolden c) {
        try (FDConv2d layer = c.layer(be); TensorScope sc = Tensors.scope()) {
            LoadReport report = layer.loadStateDict(c.state(be), false);
            // the official BatchNorm2d also has num_batches_tracked, which the golden state leaves out
            assertThat(report.unexpectedKeys()).isEmpty();
            assertThat(report.missingKeys()).containsExactly("KSM_Global.bn.num_batches_tracked");
            assertThat(layer.stateDict().keySet()).containsAll(c.state(be).keySet());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void outputAndTracesMatchTheReference(FdconvGolden c) {
        try (FDConv2d layer = c.layer(be); TensorScope sc = Tensors.scope()) {
            layer.loadStateDict(c.state(be), false);
            layer.train(c.trainMode());
            Tensor x = c.tensor(be, c.manifest().path("input").path("file").asText());
            Tolerance tol = c.outputTolerance();
            try (FDConv2d.Trace t = layer.trace(x)) {
                Map<String, Tensor> got = new HashMap<>();
                got.put("gap", t.gap());
                got.put("ksm_channel_att", t.channelGain());
                got.put("ksm_filter_att", t.filterGain());
                got.put("ksm_spatial_att", t.spatialGain());
                got.put("ksm_kernel_att", t.kernelGain());
                got.put("ksm_local_att", t.localGain());
                got.put("fdw_kernel", t.fdwKernel());
                got.put("aggregate_kernel", t.aggregateKernel());
                got.put("fbm_out", t.fbmOut());
                JsonNode traces = c.manifest().path("trace");
                traces.fieldNames().forEachRemaining(name -> {
                    assertThat(got).as(c + ": trace " + name + " is not produced").containsKey(name);
                    String file = traces.path(name).path("file").asText(TRACE_FILES.get(name));
                    tol.check(c + " trace " + name, got.get(name).toFloatArray(), c.floats(file));
                });
                tol.check(c + " output", t.output().toFloatArray(),
                        c.floats(c.manifest().path("output").path("file").asText()));
                assertThat(t.output().toFloatArray())
                        .as("forward() and trace() agree").containsExactly(layer.forward(x).toFloatArray());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientsOfProbedSumMatchTheReference(FdconvGolden c) {
        try (FDConv2d layer = c.layer(be); TensorScope sc = Tensors.scope()) {
            layer.loadStateDict(c.state(be), false);
            layer.train(c.trainMode());
            Tensor x = c.tensor(be, c.manifest().path("input").path("file").asText()).requiresGrad(true);
            JsonNode grads = c.manifest().path("grads");
            // the reference also differentiates w.r.t. the batch-norm running statistics
            Map<String, Tensor> buffers = layer.namedBuffers();
            grads.fieldNames().forEachRemaining(name -> {
                if (buffers.containsKey(name)) {
                    buffers.get(name).requiresGrad(true);
                }
            });
            Tensor probe = c.tensor(be, c.manifest().path("loss").path("probe").asText("probe.npy"));
            Tensor loss = layer.forward(x).mul(probe).sum();
            double expectedLoss = c.manifest().path("loss").path("value").asDouble(Double.NaN);
            if (!Double.isNaN(expectedLoss)) {
                assertThat(loss.item()).as(c + " loss").isCloseTo(expectedLoss,
                        org.assertj.core.data.Offset.offset(1e-5 + 1e-5 * Math.abs(expectedLoss)));
            }
            loss.backward();
            Map<String, Tensor> params = layer.namedParameters();
            Tolerance tol = c.gradTolerance();
            List<String> names = iterable(grads);
            assertThat(names).as(c + " grads").contains("input", "dft_weight");
            for (String name : names) {
                Tensor owner = name.equals("input") ? x : params.containsKey(name) ? params.get(name) : buffers.get(name);
                assertThat(owner).as(c + ": no parameter or buffer named " + name).isNotNull();
                assertThat(owner.grad()).as(c + ": no gradient reached " + name).isNotNull();
                tol.check(c + " grad " + name, owner.grad().toFloatArray(), c.floats(grads.path(name).asText()));
            }
            for (Tensor b : buffers.values()) {
                if (b.requiresGrad()) {
                    b.requiresGrad(false);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void groupTableMatchesExactly(FdconvGolden c) {
        try (FDConv2d layer = c.layer(be); TensorScope sc = Tensors.scope()) {
            long[] expected = c.data().array(c.manifest().path("group_indices").path("file")
                    .asText("group_indices.npy")).toLongArray();
            Tolerance.checkExact(c + " group_indices", layer.frequencyGroups().table(), expected);
            Tolerance.checkExact(c + " indices buffer", layer.namedBuffers().get("indices").toLongArray(), expected);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fbmMasksMatchBitForBit(FdconvGolden c) {
        JsonNode m = c.manifest().path("fbm_masks");
        if (m.isMissingNode()) {
            return;
        }
        FbmOptions o = FbmOptions.defaults();
        float[] got = FbmMasks.resized(o.kList(), o.maxH(), o.maxW(), c.cfg("H"), c.cfg("W"));
        float[] expected = c.floats(m.path("file").asText("fbm_masks.npy"));
        assertThat(got).containsExactly(expected);
    }

    private static List<String> iterable(JsonNode obj) {
        List<String> out = new java.util.ArrayList<>();
        obj.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
