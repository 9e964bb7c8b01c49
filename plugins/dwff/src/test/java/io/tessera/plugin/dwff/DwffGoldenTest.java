package io.tessera.plugin.dwff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.api.nn.LoadReport;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.testkit.TestBackends;
import io.tessera.testkit.golden.Tolerance;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every DWFF golden case (bundled copy of {@code golden/dwff}, plus {@code -Dtessera.golden.dwff=DIR}): logits,
 * traces, loss parts and the gradient of the total loss for every parameter and every input feature map, within the
 * manifest's tolerances (spec §10).
 */
class DwffGoldenTest {
    private static TensorBackend be;

    @BeforeAll
    static void backend() {
        be = TestBackends.named("cpu");
    }

    @AfterAll
    static void close() {
        be.close();
    }

    static Stream<DwffGolden> cases() {
        return DwffGolden.all().stream();
    }

    private static DwffDecoder decoder(DwffGolden c) {
        DwffDecoder d = new DwffDecoder(be, c.config(), new Generator(0));
        d.eval(); // the goldens disable dropout
        return d;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void officialStateDictLoadsStrictlyByName(DwffGolden c) {
        try (DwffDecoder d = decoder(c); TensorScope sc = Tensors.scope()) {
            Map<String, Tensor> state = c.state(be, DType.FLOAT32);
            LoadReport report = d.loadStateDict(state, true);
            assertThat(report.isComplete()).isTrue();
            assertThat(d.stateDict().keySet()).containsExactlyInAnyOrderElementsOf(state.keySet());
            for (Map.Entry<String, Tensor> e : d.namedParameters().entrySet()) {
                assertThat(e.getValue().dims()).as(e.getKey()).containsExactly(state.get(e.getKey()).dims());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void logitsAndTracesMatchTheReference(DwffGolden c) {
        try (DwffDecoder d = decoder(c); TensorScope sc = Tensors.scope()) {
            d.loadStateDict(c.state(be, DType.FLOAT32), true);
            DwffDecoder.Output out = d.run(c.features(be, DType.FLOAT32));
            Tolerance tol = c.logitsTolerance();
            JsonNode m = c.manifest();
            String logitsFile = m.path("output").path("file").asText("logits.npy");
            assertThat(out.logits().dims()).containsExactly(c.shape(logitsFile));
            tol.check(c + " logits", out.logits().toFloatArray(), c.floats(logitsFile));
            Map<String, Tensor> traces = Map.of("descriptor", out.descriptor(), "scores", out.scores(),
                    "fusion_weights", out.fusionWeights(), "fused", out.fused());
            Iterator<Map.Entry<String, JsonNode>> it = m.path("trace").fields();
            int checked = 0;
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                Tensor got = traces.get(e.getKey());
                assertThat(got).as("trace " + e.getKey() + " is known to the port").isNotNull();
                String file = e.getValue().path("file").asText();
                assertThat(got.dims()).as(e.getKey()).containsExactly(c.shape(file));
                tol.check(c + " trace " + e.getKey(), got.toFloatArray(), c.floats(file));
                checked++;
            }
            assertThat(checked).isEqualTo(4);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lossPartsMatchTheReference(DwffGolden c) {
        try (DwffDecoder d = decoder(c); TensorScope sc = Tensors.scope()) {
            d.loadStateDict(c.state(be, DType.FLOAT32), true);
            DwffDecoder.Output out = d.run(c.features(be, DType.FLOAT32));
            DwffLoss.Parts parts = c.loss().compute(out.logits(), c.target(be), out.fusionWeights());
            double tol = c.lossTolerance();
            assertThat(parts.dice().item()).as("dice").isCloseTo(c.loss("dice_loss"), within(tol));
            assertThat(parts.focal().item()).as("focal").isCloseTo(c.loss("focal_loss"), within(tol));
            assertThat(parts.seg().item()).as("seg").isCloseTo(c.loss("seg_loss"), within(tol));
            assertThat(parts.entropy().item()).as("entropy").isCloseTo(c.loss("entropy"), within(tol));
            assertThat(parts.total().item()).as("total").isCloseTo(c.loss("total"), within(tol));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientsOfEveryParameterAndFeatureMatchTheReference(DwffGolden c) {
        try (DwffDecoder d = decoder(c); TensorScope sc = Tensors.scope()) {
            d.loadStateDict(c.state(be, DType.FLOAT32), true);
            List<Tensor> features = c.features(be, DType.FLOAT32);
            features.forEach(f -> f.requiresGrad(true));
            DwffDecoder.Output out = d.run(features);
            c.loss().compute(out.logits(), c.target(be), out.fusionWeights()).total().backward();
            Tolerance tol = c.gradTolerance();
            Map<String, Tensor> params = d.namedParameters();
            Iterator<Map.Entry<String, JsonNode>> it = c.manifest().path("grads").fields();
            int checked = 0;
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                Tensor grad;
                if (name.startsWith("feature_")) {
                    grad = features.get(Integer.parseInt(name.substring("feature_".length()))).grad();
                } else {
                    assertThat(params).as("parameter " + name).containsKey(name);
                    grad = params.get(name).grad();
                }
                assertThat(grad).as("gradient of " + name).isNotNull();
                String file = e.getValue().asText();
                assertThat(grad.dims()).as(name).containsExactly(c.shape(file));
                tol.check(c + " d total / d " + name, grad.toFloatArray(), c.floats(file));
                checked++;
            }
            // every parameter and every feature map has a golden gradient
            assertThat(checked).isEqualTo(params.size() + features.size());
        }
    }
}
