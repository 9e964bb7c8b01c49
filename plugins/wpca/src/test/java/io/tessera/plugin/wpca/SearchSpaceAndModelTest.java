package io.tessera.plugin.wpca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.testkit.TestBackends;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The search space's decoding and parameter count, the encoder's pre-activation probe, and the genetic search. */
class SearchSpaceAndModelTest {
    private static TensorBackend be;
    private static final SearchSpace SPACE = SearchSpace.fashionRows();

    @BeforeAll
    static void open() {
        be = TestBackends.named("cpu");
    }

    @AfterAll
    static void close() {
        be.close();
    }

    @Test
    void analyticParameterCountIsTheModelsAndProbesAreFfnPreActivations() {
        Random r = new Random(3);
        for (int i = 0; i < 12; i++) {
            Architecture a = SPACE.decode(SPACE.randomGenes(r, 0, SPACE.skip()));
            if (a.layers().isEmpty()) {
                continue;
            }
            try (EncoderClassifier m = new EncoderClassifier(be, SPACE, a, new Generator(i));
                    TensorScope s = Tensors.scope()) {
                assertThat(m.encoderParameterCount()).as(a.toString()).isEqualTo(SPACE.params(a));
                List<Tensor> pre = new ArrayList<>();
                Tensor x = new Generator(1).uniform(be, Shape.of(5, 1, 28, 28), 0, 1);
                Tensor logits = m.forward(x, pre);
                assertThat(logits.dims()).containsExactly(5, 10);
                assertThat(pre).hasSize(a.layers().size());
                for (int l = 0; l < pre.size(); l++) {
                    assertThat(pre.get(l).dims()).containsExactly(5, 28, a.layers().get(l).ffn());
                }
                // the probe is linear1's output, not its GELU: it reaches below GELU's minimum (about -0.17)
                float min = Float.MAX_VALUE;
                for (float v : pre.get(0).toFloatArray()) {
                    min = Math.min(min, v);
                }
                assertThat(min).isLessThan(-0.2f);
                pre.forEach(Tensor::close);
            }
        }
    }

    @Test
    void decodingAndLegality() {
        int w = SPACE.widths().size();
        Architecture a = SPACE.decode(List.of(0, SPACE.skip(), w + 4, SPACE.skip()));
        assertThat(a.name()).isEqualTo("bert16-bneck96");
        assertThat(SPACE.isLegal(a)).isTrue();
        assertThat(SPACE.isLegal(SPACE.decode(List.of(0, SPACE.skip(), SPACE.skip(), SPACE.skip())))).isFalse();
        assertThat(SPACE.isLegal(SPACE.decode(List.of(4, 4, 4, 4)))).as("4 x bert96 (44,320) is over the 35k cap").isFalse();
        assertThatThrownBy(() -> SPACE.decode(List.of(0, 1))).hasMessageContaining("4 layer slots");
        assertThatThrownBy(() -> SPACE.decode(List.of(0, 1, 2, 99))).hasMessageContaining("not in [0, 10]");
    }

    @Test
    void geneticSearchScoresEachLegalCandidateOnceAndReturnsTheBestItSaw() {
        EvolutionSearch.Settings st = EvolutionSearch.Settings.forSpace(SPACE, 3);
        // a cheap deterministic fitness: the parameter count (what the PARAMS proxy is)
        EvolutionSearch.Result r = new EvolutionSearch(SPACE, st, a -> SPACE.params(a), 11, 0).run();
        Set<String> keys = new HashSet<>();
        double best = Double.NEGATIVE_INFINITY;
        for (EvolutionSearch.Evaluation e : r.evaluations()) {
            assertThat(keys.add(e.architecture().key())).as("scored twice: " + e.architecture()).isTrue();
            assertThat(SPACE.isLegal(e.architecture())).isTrue();
            best = Math.max(best, e.fitness());
        }
        assertThat(r.evaluations().size()).isGreaterThanOrEqualTo(st.populationNum());
        assertThat(r.best().fitness()).isEqualTo(r.top().get(0).fitness());
        assertThat(r.top()).isSortedAccordingTo((x, y) -> Double.compare(y.fitness(), x.fitness()));
        // the last merge sees every candidate but those of the final generation's children never merged; the best
        // of the top list can only miss candidates scored after the last merge, of which there are none
        assertThat(r.best().fitness()).isEqualTo(best);
        EvolutionSearch.Result again = new EvolutionSearch(SPACE, st, a -> SPACE.params(a), 11, 0).run();
        assertThat(again.evaluations().stream().map(e -> e.architecture().key()).toList())
                .isEqualTo(r.evaluations().stream().map(e -> e.architecture().key()).toList());
        EvolutionSearch.Result capped = new EvolutionSearch(SPACE, st, a -> SPACE.params(a), 11, 25).run();
        assertThat(capped.evaluations()).hasSize(25);
        List<EvolutionSearch.Evaluation> rnd = EvolutionSearch.randomSearch(SPACE, a -> SPACE.params(a), 5, 25, 0,
                SPACE.skip());
        assertThat(rnd).hasSize(25);
        assertThat(rnd.stream().map(e -> e.architecture().key()).distinct().count()).isEqualTo(25);
    }

    @Test
    void proxiesOfOneCandidate() {
        Architecture a = SPACE.decode(List.of(2, 7, SPACE.skip(), 3));
        try (TensorScope s = Tensors.scope()) {
            Tensor x = new Generator(1).uniform(be, Shape.of(32, 1, 28, 28), 0, 1);
            Tensor y = be.tensor(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4,
                5, 6, 7, 8, 9, 0, 1}, 32);
            WpcaScore w;
            try (EncoderClassifier m = new EncoderClassifier(be, SPACE, a, new Generator(4))) {
                w = ZeroCostProxies.wpca(m, x, 0.99, LayerReduction.MEAN);
                assertThat(w.counts()).hasSize(3);
                assertThat(w.params()).isEqualTo(SPACE.params(a));
                assertThat(w.wpca()).isEqualTo(w.params() * w.pcaScore());
                assertThat(ZeroCostProxies.gradNorm(m, x, y)).isPositive().isFinite();
                assertThat(ZeroCostProxies.synflow(m, 28, 28)).isPositive().isFinite();
            }
            try (EncoderClassifier m = new EncoderClassifier(be, SPACE, a, new Generator(4))) {
                assertThat(ZeroCostProxies.wpca(m, x, 0.99, LayerReduction.MEAN).counts())
                        .as("same seed, same counts").containsExactly(w.counts());
            }
        }
    }
}
