package io.tessera.plugin.fdconv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.nn.Conv2d;
import io.tessera.api.nn.Linear;
import io.tessera.api.optim.Adam;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.testkit.TestBackends;
import io.tessera.training.models.ReferenceCnn;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The training module's reference CNN with convolutions replaced by {@link CnnVariant}: names, shared initialisation,
 * conversion, parameter counts, gradients.
 */
class CnnVariantTest {
    private static TensorBackend be;

    @BeforeAll
    static void backend() {
        be = TestBackends.named("cpu");
    }

    @AfterAll
    static void close() {
        be.close();
    }

    private static CnnVariant variant(CnnVariant.Layer layer, String... replace) {
        return new CnnVariant(layer, Set.of(replace), FDConvOptions.defaults(), 4, CondConv2d.Routing.SIGMOID);
    }

    private static ReferenceCnn cnn(CnnVariant v) {
        return v.build(be, 7, 1, 28, 28, 10);
    }

    private static void assertSameValues(Tensor a, Tensor b, String what) {
        assertThat(a.dims()).as(what).containsExactly(b.dims());
        // Arrays.equals: AssertJ's element-wise containsExactly takes seconds on fc1's 401,408 values
        assertThat(java.util.Arrays.equals(a.toFloatArray(), b.toFloatArray())).as(what + " values").isTrue();
    }

    /** The plain variant is core/train's cnn-small: conv1, conv2, fc1, fc2 drawn in that order from Generator(seed). */
    @Test
    void plainVariantIsTheReferenceCnnOfCoreTrain() {
        Generator g = new Generator(7);
        try (ReferenceCnn model = cnn(CnnVariant.plain());
             Conv2d c1 = Conv2d.builder(be, 1, 32, 3).padding(1).generator(g).build();
             Conv2d c2 = Conv2d.builder(be, 32, 64, 3).padding(1).generator(g).build();
             Linear f1 = new Linear(be, 3136, 128, g);
             Linear f2 = new Linear(be, 128, 10, g)) {
            Map<String, Tensor> sd = model.stateDict();
            assertThat(sd.keySet()).containsExactly("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                    "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
            assertSameValues(sd.get("conv1.weight"), c1.weight(), "conv1.weight");
            assertSameValues(sd.get("conv2.weight"), c2.weight(), "conv2.weight");
            assertSameValues(sd.get("fc1.weight"), f1.weight(), "fc1.weight");
            assertSameValues(sd.get("fc2.bias"), f2.bias(), "fc2.bias");
            assertThat(model.parameterCount()).isEqualTo(421_642);
        }
    }

    /** FDConv in place of conv2 is converted from the plain conv2's initial kernel; the other layers are shared. */
    @Test
    void fdconvVariantConvertsThePlainKernelAndSharesTheOtherLayers() {
        try (ReferenceCnn plain = cnn(CnnVariant.plain());
             ReferenceCnn fd = cnn(variant(CnnVariant.Layer.FDCONV, "conv2"));
             TensorScope sc = Tensors.scope()) {
            assertThat(fd.conv2()).isInstanceOf(FDConv2d.class);
            FDConv2d conv2 = (FDConv2d) fd.conv2();
            assertThat(conv2.isFrequencyDynamic()).isTrue();
            assertThat(conv2.hasFbm()).isTrue();
            assertThat(conv2.kernelNum()).isEqualTo(4);
            Conv2d plain2 = (Conv2d) plain.conv2();
            float[] expected = plain2.weight().toFloatArray();
            float[] actual = conv2.spatialKernel().toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-6f));
            }
            assertSameValues(fd.stateDict().get("conv2.bias"), plain2.bias(), "conv2.bias");
            for (String name : List.of("conv1.weight", "conv1.bias", "fc1.weight", "fc1.bias", "fc2.weight")) {
                assertSameValues(fd.stateDict().get(name), plain.stateDict().get(name), name);
            }
            assertThat(fd.stateDict()).containsKeys("conv2.dft_weight", "conv2.KSM_Global.fc.weight",
                    "conv2.KSM_Local.conv.weight", "conv2.FBM.freq_weight_conv_list.0.weight");
        }
    }

    @Test
    void fdconvOptionsSwitchOffTheFrequencyBandAndLocalModulation() {
        FDConvOptions o = FDConvOptions.builder().kernelNum(8).useFbmIfKIn(List.of()).useKsmLocal(false).build();
        try (ReferenceCnn fd = cnn(new CnnVariant(CnnVariant.Layer.FDCONV, Set.of("conv1", "conv2"), o,
                4, CondConv2d.Routing.SIGMOID))) {
            FDConv2d conv1 = (FDConv2d) fd.conv1();
            FDConv2d conv2 = (FDConv2d) fd.conv2();
            // spec §3: 1 -> 32 channels is below use_fdconv_if_c_gt, a plain convolution inside FDConv2d
            assertThat(conv1.isFrequencyDynamic()).isFalse();
            assertThat(conv2.kernelNum()).isEqualTo(8);
            assertThat(conv2.hasFbm()).isFalse();
            assertThat(conv2.ksmLocal()).isNull();
        }
    }

    @Test
    void condconvVariantHoldsFourFullKernels() {
        try (ReferenceCnn plain = cnn(CnnVariant.plain());
             ReferenceCnn cc = cnn(variant(CnnVariant.Layer.CONDCONV, "conv2"))) {
            assertThat(cc.conv2()).isInstanceOf(CondConv2d.class);
            // conv2 grows from 18,496 to 4 × 18,496 + 132 parameters
            assertThat(cc.parameterCount() - plain.parameterCount()).isEqualTo(3L * 18_496 + 32 * 4 + 4);
            assertSameValues(cc.stateDict().get("fc1.weight"), plain.stateDict().get("fc1.weight"), "fc1.weight");
        }
    }

    /**
     * The backward pass reaches every parameter of every variant with a finite, non-zero gradient, and two Adam steps
     * on one batch lower that batch's loss.
     */
    @Test
    void everyVariantTrainsEndToEnd() {
        for (CnnVariant v : List.of(CnnVariant.plain(), variant(CnnVariant.Layer.FDCONV,
                "conv2"), variant(CnnVariant.Layer.CONDCONV, "conv1", "conv2"))) {
            try (ReferenceCnn model = cnn(v); Adam adam = new Adam(model.parameters(), 3e-3);
                 TensorScope sc = Tensors.scope()) {
                Tensor x = new Generator(1).uniform(be, Shape.of(4, 1, 28, 28), 0, 1);
                Tensor y = be.tensor(new long[] {0, 3, 7, 9}, 4);
                Tensor out = model.forward(x);
                assertThat(out.dims()).containsExactly(4, 10);
                Tensor first = Functional.crossEntropy(out, y);
                double firstLoss = first.item();
                first.backward();
                for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) {
                    Tensor g = p.getValue().grad();
                    assertThat(g).as(v.layer() + " " + p.getKey()).isNotNull();
                    double maxAbs = g.abs().max().item();
                    assertThat(maxAbs).as(v.layer() + " " + p.getKey() + " gradient is finite and not all zero")
                            .isGreaterThan(0).isLessThan(Double.POSITIVE_INFINITY);
                }
                double loss = firstLoss;
                for (int step = 0; step < 2; step++) {
                    adam.step();
                    model.zeroGrad();
                    Tensor l = Functional.crossEntropy(model.forward(x), y);
                    loss = l.item();
                    if (step == 0) {
                        l.backward();
                    }
                }
                assertThat(loss).as(v.layer() + ": loss after 2 Adam steps on the batch").isLessThan(firstLoss);
            }
        }
    }

    @Test
    void refusesUnknownConvolutionNames() {
        assertThatThrownBy(() -> variant(CnnVariant.Layer.FDCONV, "conv3"))
                .hasMessageContaining("'conv3'").hasMessageContaining("[conv1, conv2]");
        assertThatThrownBy(() -> CnnVariant.plain().build(be, 1, 1, 3, 3, 10))
                .hasMessageContaining("at least 4×4");
    }
}
