package io.tessera.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tessera.api.io.RawDType;
import io.tessera.api.io.Safetensors;
import io.tessera.api.io.SafetensorsFile;
import io.tessera.api.nn.BatchNorm2d;
import io.tessera.api.nn.Conv2d;
import io.tessera.api.nn.ConvTranspose2d;
import io.tessera.api.nn.Dropout2d;
import io.tessera.api.nn.Dropout;
import io.tessera.api.nn.Embedding;
import io.tessera.api.nn.Flatten;
import io.tessera.api.nn.GroupNorm;
import io.tessera.api.nn.LayerNorm;
import io.tessera.api.nn.Linear;
import io.tessera.api.nn.LoadReport;
import io.tessera.api.nn.MaxPool2d;
import io.tessera.api.nn.Module;
import io.tessera.api.nn.ReLU;
import io.tessera.api.nn.Sequential;
import io.tessera.api.nn.StateDictException;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleTest {
    private static TensorBackend backend;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() {
        backend = TestBackends.cpu();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    /** A small model with PyTorch-style attribute names. */
    static final class Net extends Module {
        final Conv2d conv1;
        final BatchNorm2d bn;
        final Sequential head;

        Net(TensorBackend b, long seed) {
            Generator g = new Generator(seed);
            conv1 = registerModule("conv1", Conv2d.builder(b, 1, 4, 3).padding(1).generator(g).build());
            bn = registerModule("bn", new BatchNorm2d(b, 4));
            head = registerModule("head", new Sequential(new MaxPool2d(2), new Flatten(), new ReLU(),
                    new Linear(b, 4 * 3 * 3, 5, g)));
        }

        @Override
        public Tensor forward(Tensor x) {
            return head.forward(bn.forward(conv1.forward(x)));
        }
    }

    @Test
    void namesStateDictEntriesAsPyTorchDoes() {
        try (Net net = new Net(backend, 1)) {
            assertThat(new ArrayList<>(net.stateDict().keySet())).containsExactly("conv1.weight", "conv1.bias",
                    "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked",
                    "head.3.weight", "head.3.bias");
            assertThat(new ArrayList<>(net.namedParameters().keySet())).containsExactly("conv1.weight", "conv1.bias",
                    "bn.weight", "bn.bias", "head.3.weight", "head.3.bias");
            assertThat(net.namedModules()).containsKeys("conv1", "bn", "head", "head.0", "head.3");
            assertThat(net.parameterCount()).isEqualTo(4 * 9 + 4 + 4 + 4 + 36 * 5 + 5);
            assertThat(net.toString()).contains("(conv1): Conv2d(1, 4, kernel_size=[3, 3]");
        }
    }

    @Test
    void backwardReachesEveryParameterThroughConvBatchNormPoolAndLinear() {
        try (Net net = new Net(backend, 3); TensorScope sc = Tensors.scope()) {
            Tensor x = new Generator(4).normal(backend, io.tessera.api.tensor.Shape.of(3, 1, 6, 6), 0, 1);
            Tensor target = backend.tensor(new long[] {0, 4, 2}, 3);
            io.tessera.api.tensor.Functional.crossEntropy(net.forward(x), target).backward();
            net.namedParameters().forEach((name, p) -> {
                assertThat(p.grad()).as(name + " has a gradient").isNotNull();
                double sumAbs = 0;
                for (float v : p.grad().toFloatArray()) {
                    sumAbs += Math.abs(v);
                }
                assertThat(sumAbs).as(name + " gradient is not all zero").isGreaterThan(0);
            });
            net.zeroGrad();
            assertThat(net.conv1.weight().grad()).isNull();
        }
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        try (Net net = new Net(backend, 1)) {
            net.eval();
            assertThat(net.bn.isTraining()).isFalse();
            assertThat(net.head.get(3).isTraining()).isFalse();
            net.train();
            assertThat(net.head.get(0).isTraining()).isTrue();
        }
    }

    @Test
    void roundTripsTheStateDictThroughSafetensors() throws IOException {
        Path file = dir.resolve("net.safetensors");
        try (Net a = new Net(backend, 1); Net b = new Net(backend, 2); TensorScope sc = Tensors.scope()) {
            Tensor x = new Generator(9).normal(backend, io.tessera.api.tensor.Shape.of(2, 1, 6, 6), 0, 1);
            a.train();
            a.forward(x); // updates the running statistics and num_batches_tracked
            a.eval();
            b.eval();
            float[] ya = a.forward(x).toFloatArray();
            assertThat(b.forward(x).toFloatArray()).isNotEqualTo(ya);

            a.save(file, Map.of("format", "pt"));
            SafetensorsFile f = Safetensors.read(file);
            assertThat(f.metadata()).containsEntry("format", "pt");
            assertThat(f.tensor("conv1.weight").dtype()).isEqualTo(RawDType.F32);
            assertThat(f.tensor("conv1.weight").shape()).containsExactly(4, 1, 3, 3);
            assertThat(f.tensor("bn.num_batches_tracked").dtype()).isEqualTo(RawDType.I64);
            assertThat(f.tensor("bn.num_batches_tracked").toLongArray()).containsExactly(1L);

            LoadReport report = b.load(file, true);
            assertThat(report.isComplete()).isTrue();
            assertThat(b.forward(x).toFloatArray()).containsExactly(ya);
            assertThat(b.bn.runningMean().toFloatArray()).containsExactly(a.bn.runningMean().toFloatArray());
        }
    }

    @Test
    void reportsMissingUnexpectedAndMismatchedKeysByName() {
        try (Net net = new Net(backend, 1); TensorScope sc = Tensors.scope()) {
            Map<String, Tensor> state = new HashMap<>(net.stateDict());
            state.remove("bn.running_var");
            state.put("fc.weight", backend.zeros(2, 2));
            float[] before = net.conv1.weight().toFloatArray();
            state.put("conv1.weight", backend.ones(4, 1, 3, 3));

            assertThatThrownBy(() -> net.loadStateDict(state, true))
                    .isInstanceOf(StateDictException.class)
                    .hasMessageContaining("missing keys (in the model, not in the state dict): [bn.running_var]")
                    .hasMessageContaining("unexpected keys (in the state dict, not in the model): [fc.weight]")
                    .hasMessageContaining("strict = false");
            assertThat(net.conv1.weight().toFloatArray()).as("nothing copied on failure").containsExactly(before);

            LoadReport lenient = net.loadStateDict(state, false);
            assertThat(lenient.missingKeys()).containsExactly("bn.running_var");
            assertThat(lenient.unexpectedKeys()).containsExactly("fc.weight");
            assertThat(net.conv1.weight().toFloatArray()).containsOnly(1f);

            state.put("head.3.weight", backend.zeros(5, 35));
            assertThatThrownBy(() -> net.loadStateDict(state, false))
                    .hasMessageContaining("shape mismatches: head.3.weight: checkpoint [5, 35], model [5, 36]");
        }
    }

    @Test
    void loadsDoublePrecisionValuesIntoFloatParameters() {
        try (Linear lin = new Linear(backend, 2, 1, new Generator(3)); TensorScope sc = Tensors.scope()) {
            Map<String, Tensor> state = Map.of("weight", backend.tensor(new double[] {0.5, -0.25}, 1, 2),
                    "bias", backend.tensor(new double[] {2}, 1));
            lin.loadStateDict(state, true);
            assertThat(lin.forward(backend.tensor(new float[] {2, 4}, 1, 2)).toFloatArray()).containsExactly(2f);
        }
    }

    @Test
    void initialisesLinearAndConvLikePyTorch() {
        try (Linear lin = new Linear(backend, 784, 128, new Generator(11));
             Conv2d conv = Conv2d.builder(backend, 32, 64, 3).generator(new Generator(12)).build();
             ConvTranspose2d up = ConvTranspose2d.builder(backend, 8, 4, 2).stride(2)
                     .generator(new Generator(13)).build()) {
            checkUniform(lin.weight().toFloatArray(), 1 / Math.sqrt(784));
            checkUniform(lin.bias().toFloatArray(), 1 / Math.sqrt(784));
            checkUniform(conv.weight().toFloatArray(), 1 / Math.sqrt(32 * 9));
            checkUniform(conv.bias().toFloatArray(), 1 / Math.sqrt(32 * 9));
            assertThat(up.weight().dims()).containsExactly(8, 4, 2, 2);
            checkUniform(up.weight().toFloatArray(), 1 / Math.sqrt(4 * 4));
        }
    }

    /** Values lie in ±bound, and for large samples have mean ~0 and variance ~bound²/3. */
    private static void checkUniform(float[] v, double bound) {
        double sum = 0;
        double sq = 0;
        for (float x : v) {
            assertThat((double) Math.abs(x)).isLessThanOrEqualTo(bound);
            sum += x;
            sq += (double) x * x;
        }
        double mean = sum / v.length;
        double var = sq / v.length - mean * mean;
        if (v.length >= 10_000) {
            assertThat(mean).isCloseTo(0, within(0.02 * bound));
            assertThat(var).isCloseTo(bound * bound / 3, within(0.03 * bound * bound / 3));
        }
        double max = 0;
        for (float x : v) {
            max = Math.max(max, Math.abs(x));
        }
        assertThat(max).as("the range is used").isGreaterThan(0.7 * bound);
    }

    @Test
    void sameSeedGivesTheSameModelAndOtherSeedsDiffer() {
        try (Net a = new Net(backend, 5); Net b = new Net(backend, 5); Net c = new Net(backend, 6)) {
            assertThat(b.conv1.weight().toFloatArray()).containsExactly(a.conv1.weight().toFloatArray());
            assertThat(c.conv1.weight().toFloatArray()).isNotEqualTo(a.conv1.weight().toFloatArray());
        }
    }

    @Test
    void embeddingDrawsFromAStandardNormal() {
        try (Embedding e = new Embedding(backend, 1000, 20, new Generator(4)); TensorScope sc = Tensors.scope()) {
            float[] w = e.weight().toFloatArray();
            double mean = 0;
            double sq = 0;
            for (float x : w) {
                mean += x;
                sq += (double) x * x;
            }
            mean /= w.length;
            assertThat(mean).isCloseTo(0, within(0.02));
            assertThat(sq / w.length - mean * mean).isCloseTo(1, within(0.03));
            Tensor out = e.forward(backend.tensor(new long[] {3, 3, 999}, 3));
            assertThat(out.dims()).containsExactly(3, 20);
        }
    }

    @Test
    void batchNormUpdatesRunningStatisticsInTrainingOnly() {
        try (BatchNorm2d bn = new BatchNorm2d(backend, 2); TensorScope sc = Tensors.scope()) {
            // channel 0 holds 1..4 (mean 2.5, unbiased var 5/3), channel 1 holds 10 everywhere
            Tensor x = backend.tensor(new float[] {1, 2, 3, 4, 10, 10, 10, 10}, 1, 2, 2, 2);
            Tensor y = bn.forward(x);
            assertThat(bn.runningMean().toFloatArray()[0]).isCloseTo(0.25f, within(1e-6f));
            assertThat(bn.runningMean().toFloatArray()[1]).isCloseTo(1.0f, within(1e-6f));
            assertThat(bn.runningVar().toFloatArray()[0]).isCloseTo(0.9f + 0.1f * 5 / 3f, within(1e-6f));
            assertThat(bn.numBatchesTracked().toLongArray()).containsExactly(1L);
            assertThat(y.toFloatArray()[4]).isCloseTo(0f, within(1e-6f));
            bn.eval();
            bn.forward(x);
            assertThat(bn.numBatchesTracked().toLongArray()).containsExactly(1L);
            assertThat(bn.runningMean().toFloatArray()[0]).isCloseTo(0.25f, within(1e-6f));
        }
    }

    @Test
    void normalisationLayersNormalise() {
        try (LayerNorm ln = new LayerNorm(backend, 4); GroupNorm gn = new GroupNorm(backend, 2, 4);
             TensorScope sc = Tensors.scope()) {
            Tensor x = new Generator(1).normal(backend, io.tessera.api.tensor.Shape.of(3, 4), 5, 2);
            float[] y = ln.forward(x).toFloatArray();
            for (int r = 0; r < 3; r++) {
                double m = 0;
                for (int c = 0; c < 4; c++) {
                    m += y[r * 4 + c];
                }
                assertThat(m / 4).isCloseTo(0, within(1e-5));
            }
            Tensor img = new Generator(2).normal(backend, io.tessera.api.tensor.Shape.of(2, 4, 3, 3), 1, 3);
            float[] z = gn.forward(img).toFloatArray();
            double m = 0;
            for (int i = 0; i < 18; i++) {
                m += z[i];
            }
            assertThat(m / 18).as("first group of the first sample").isCloseTo(0, within(1e-5));
        }
    }

    @Test
    void dropoutIsSeededScaledAndOffInEval() {
        try (TensorScope sc = Tensors.scope()) {
            Tensor x = backend.ones(1000);
            float[] a = new Dropout(0.3, new Generator(7)).forward(x).toFloatArray();
            float[] b = new Dropout(0.3, new Generator(7)).forward(x).toFloatArray();
            assertThat(a).containsExactly(b);
            int zeros = 0;
            for (float v : a) {
                assertThat(v == 0f || Math.abs(v - 1 / 0.7f) < 1e-6).isTrue();
                zeros += v == 0f ? 1 : 0;
            }
            assertThat(zeros).isBetween(240, 360);
            Dropout off = new Dropout(0.3, new Generator(7));
            off.eval();
            assertThat(off.forward(x).toFloatArray()).containsOnly(1f);

            Tensor img = backend.ones(4, 50, 2, 2);
            float[] c = new Dropout2d(0.5, new Generator(8)).forward(img).toFloatArray();
            for (int ch = 0; ch < 200; ch++) {
                float first = c[ch * 4];
                for (int k = 1; k < 4; k++) {
                    assertThat(c[ch * 4 + k]).as("whole channel " + ch + " shares its mask").isEqualTo(first);
                }
            }
        }
    }

    @Test
    void rejectsDuplicateAndDottedNames() {
        assertThatThrownBy(() -> new Module() {
            {
                registerModule("a.b", new ReLU());
            }

            @Override
            public Tensor forward(Tensor input) {
                return input;
            }
        }).hasMessageContaining("without '.'");
        assertThatThrownBy(() -> new Module() {
            {
                registerModule("a", new ReLU());
                registerModule("a", new ReLU());
            }

            @Override
            public Tensor forward(Tensor input) {
                return input;
            }
        }).hasMessageContaining("already has an entry named 'a'");
    }

    @Test
    void sequentialNamesChildrenByPosition() {
        try (Sequential s = new Sequential(new Linear(backend, 3, 4, new Generator(1)), new ReLU(),
                new Linear(backend, 4, 2, new Generator(2)))) {
            assertThat(new ArrayList<>(s.stateDict().keySet())).isEqualTo(List.of("0.weight", "0.bias",
                    "2.weight", "2.bias"));
        }
    }
}
