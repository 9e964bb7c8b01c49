package io.tessera.plugin.fdconv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.nn.Conv2d;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.testkit.TestBackends;
import io.tessera.testkit.golden.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The ten property tests of spec §12, and the plain-conv fallback and training mode of spec §3 and §5.2. */
class FDConv2dPropertyTest {
    private static TensorBackend be;

    @BeforeAll
    static void backend() {
        be = TestBackends.named("cpu");
    }

    @AfterAll
    static void close() {
        be.close();
    }

    /** The golden configurations (spec §11 table, use_fdconv_if_c_gt = 4) with random weights. */
    static Stream<Arguments> goldenConfigs() {
        return Stream.of(
                Arguments.of(2, 8, 16, 16, 16, 3, 1, 1, 4, true),
                Arguments.of(2, 16, 8, 12, 10, 3, 2, 1, 4, false),
                Arguments.of(3, 16, 16, 8, 8, 3, 1, 1, 8, true),
                Arguments.of(2, 8, 16, 9, 7, 1, 1, 0, 4, true));
    }

    private static FDConv2d layer(int cin, int cout, int k, int s, int p, int kn, boolean bias, long seed) {
        return FDConv2d.builder(be, cin, cout, k).stride(s).padding(p).bias(bias).generator(new Generator(seed))
                .options(FDConvOptions.builder().kernelNum(kn).useFdconvIfCGt(4).build()).build();
    }

    private static Tensor input(int b, int c, int h, int w, long seed) {
        return new Generator(seed).normal(be, Shape.of(b, c, h, w), 0, 1);
    }

    /** Gives every head, the local conv and the FBM gates random (not tiny) weights, as in the goldens. */
    private static void randomize(FDConv2d layer, long seed) {
        Generator g = new Generator(seed);
        try (Autograd.NoGradSection ng = Autograd.noGrad(); TensorScope sc = Tensors.scope()) {
            for (Map.Entry<String, Tensor> e : layer.namedParameters().entrySet()) {
                if (!e.getKey().equals("dft_weight") && !e.getKey().equals("bias")
                        && !e.getKey().startsWith("KSM_Global.bn") && !e.getKey().startsWith("KSM_Global.relu")
                        && !e.getKey().startsWith("KSM_Local.norm")) {
                    e.getValue().copyFrom(g.normal(be, e.getValue().shape(), 0, 0.3));
                }
            }
        }
    }

    /** Zeroes the heads, the local conv and the FBM gates: every gain is 1 and the group gain 1/kn (spec §12.4). */
    private static void neutralize(FDConv2d layer) {
        try (Autograd.NoGradSection ng = Autograd.noGrad()) {
            for (Map.Entry<String, Tensor> e : layer.namedParameters().entrySet()) {
                String n = e.getKey();
                if (n.contains("_fc.") || n.startsWith("KSM_Local.conv") || n.startsWith("FBM.")) {
                    e.getValue().fill(0);
                }
            }
        }
    }

    // --------------------------------------------------------------------------------------------- §12.1 shape

    @ParameterizedTest
    @MethodSource("goldenConfigs")
    void outputShapeFollowsConvolutionArithmetic(int b, int cin, int cout, int h, int w, int k, int s, int p, int kn,
                                                 boolean bias) {
        try (FDConv2d fd = layer(cin, cout, k, s, p, kn, bias, 1); TensorScope sc = Tensors.scope()) {
            assertThat(fd.isFrequencyDynamic()).isTrue();
            assertThat(fd.hasFbm()).isEqualTo(k == 3);
            Tensor y = fd.forward(input(b, cin, h, w, 2));
            assertThat(y.dims()).containsExactly(b, cout, (h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1);
        }
    }

    // ------------------------------------------------------------------------------------ §12.2 parameter count

    @ParameterizedTest
    @CsvSource({"8, 16, 3, 4, true, 4, 2722", "64, 64, 3, 64, false, 16, 46462", "64, 256, 1, 64, false, 16, 25890"})
    void parameterCountMatchesTheSpecFormula(int cin, int cout, int k, int kn, boolean bias, int cGt, long expected) {
        FDConvOptions o = FDConvOptions.builder().kernelNum(kn).useFdconvIfCGt(cGt).build();
        try (FDConv2d fd = FDConv2d.builder(be, cin, cout, k).bias(bias).options(o).generator(new Generator(3))
                .build()) {
            assertThat(fd.parameterCount()).isEqualTo(expected).isEqualTo(formula(cin, cout, k, kn, bias));
        }
    }

    /** Spec §4's count, with the parts that are absent for k = 1 (spatial head, FBM) left out. */
    private static long formula(int cin, int cout, int k, int kn, boolean bias) {
        int hs = cout * k;
        int wr = cin * k / 2 + 1;
        int a = Math.max(cin / 16, 16);
        int ks = KernelSpatialModulationLocal.kernelSizeFor(cin);
        long n = 2L * hs * wr + (bias ? cout : 0) + (long) a * cin + 2L * a + 2 + (a * cin + cin) + (a * cout + cout)
                + (kn > 1 ? a * kn + kn : 0) + (long) cout * k * k * ks + 2L * cin;
        if (k > 1) {
            n += a * k * k + k * k;
            n += 3L * (cin * 9 + 1);
        }
        return n;
    }

    // ------------------------------------------------------------------------------ §12.3 round trip at init

    @ParameterizedTest
    @CsvSource({"16, 16, 3, 8", "8, 16, 3, 4", "16, 8, 1, 4", "64, 64, 3, 64"})
    void convertedConvReproducesItsKernelForEverySample(int cin, int cout, int k, int kn) {
        try (Conv2d conv = Conv2d.builder(be, cin, cout, k).padding(k / 2).generator(new Generator(11)).build();
             FDConv2d fd = FDConv2d.fromConv2d(conv).padding(k / 2).options(FDConvOptions.builder().kernelNum(kn)
                     .useFdconvIfCGt(4).build()).build();
             TensorScope sc = Tensors.scope()) {
            try (Autograd.NoGradSection ng = Autograd.noGrad()) {
                fd.ksmGlobal().kernelFc().weight().fill(0);
                fd.ksmGlobal().kernelFc().bias().fill(0);
            }
            assertThat(fd.bias().toFloatArray()).containsExactly(conv.bias().toFloatArray());
            float[] w = conv.weight().toFloatArray();
            new Tolerance(0, 1e-6).check("spatialKernel()", fd.spatialKernel().toFloatArray(), w);
            fd.eval();
            try (FDConv2d.Trace t = fd.trace(input(3, cin, 8, 8, 5))) {
                float[] fdw = t.fdwKernel().toFloatArray();
                for (int s = 0; s < 3; s++) {
                    float[] one = java.util.Arrays.copyOfRange(fdw, s * w.length, (s + 1) * w.length);
                    new Tolerance(0, 1e-6).check("fdw_kernel of sample " + s, one, w);
                }
            }
        }
    }

    @Test
    void convertedConvWithNeutralGainsComputesTheOriginalConv() {
        try (Conv2d conv = Conv2d.builder(be, 16, 32, 3).padding(1).stride(2).generator(new Generator(12)).build();
             FDConv2d fd = FDConv2d.fromConv2d(conv).kernelNum(8).build();
             TensorScope sc = Tensors.scope()) {
            // 16 channels do not pass the default use_fdconv_if_c_gt = 16: a plain conv with the same weight
            assertThat(fd.isFrequencyDynamic()).isFalse();
            Tensor x = input(2, 16, 11, 9, 13);
            new Tolerance(1e-6, 1e-6).check("plain", fd.forward(x).toFloatArray(), conv.forward(x).toFloatArray());
        }
        try (Conv2d conv = Conv2d.builder(be, 24, 32, 3).padding(1).stride(2).generator(new Generator(12)).build();
             FDConv2d fd = FDConv2d.fromConv2d(conv).kernelNum(8).build();
             TensorScope sc = Tensors.scope()) {
            assertThat(fd.isFrequencyDynamic()).isTrue();
            neutralize(fd);
            Tensor x = input(2, 24, 11, 9, 13);
            new Tolerance(1e-5, 1e-5).check("converted", fd.forward(x).toFloatArray(), conv.forward(x).toFloatArray());
        }
    }

    @Test
    void conversionCopiesTheConvolutionsGeometry() {
        try (Conv2d conv = Conv2d.builder(be, 8, 12, 3).stride(new int[] {2, 1}).padding(new int[] {2, 1})
                .dilation(2).groups(2).bias(false).generator(new Generator(14)).build();
             FDConv2d fd = FDConv2d.fromConv2d(conv).build();
             TensorScope sc = Tensors.scope()) {
            assertThat(fd.inChannels()).isEqualTo(8);
            assertThat(fd.outChannels()).isEqualTo(12);
            assertThat(fd.kernelSize()).isEqualTo(3);
            assertThat(fd.stride()).containsExactly(2, 1);
            assertThat(fd.padding()).containsExactly(2, 1);
            assertThat(fd.dilation()).containsExactly(2, 2);
            assertThat(fd.bias()).isNull();
            Tensor x = input(2, 8, 9, 10, 15);
            new Tolerance(1e-6, 1e-6).check("grouped, dilated", fd.forward(x).toFloatArray(),
                    conv.forward(x).toFloatArray());
        }
    }

    // --------------------------------------------------------------------------- §12.4 reduction to plain conv

    @ParameterizedTest
    @MethodSource("goldenConfigs")
    void neutralGainsReduceTheLayerToAPlainConvolution(int b, int cin, int cout, int h, int w, int k, int s, int p,
                                                       int kn, boolean bias) {
        try (FDConv2d fd = layer(cin, cout, k, s, p, kn, bias, 21); TensorScope sc = Tensors.scope()) {
            randomize(fd, 22);
            try (Autograd.NoGradSection ng = Autograd.noGrad()) {
                // an arbitrary (non-Hermitian) Fourier weight, as in the goldens
                fd.dftWeight().copyFrom(new Generator(23).normal(be, fd.dftWeight().shape(), 0, 0.05));
            }
            neutralize(fd);
            Tensor x = input(b, cin, h, w, 24);
            Tensor expected = Functional.conv2d(x, fd.spatialKernel(), fd.bias(), new int[] {s, s}, new int[] {p, p},
                    new int[] {1, 1}, 1);
            new Tolerance(1e-5, 1e-5).check("neutral FDConv vs conv2d", fd.forward(x).toFloatArray(),
                    expected.toFloatArray());
        }
    }

    // ----------------------------------------------------------- group-kernel form (kn < B) vs per-sample form

    @Test
    void groupKernelFormEqualsThePerSampleForm() {
        // kn=2 < B=4: the layer transforms the two group kernels once and mixes them per sample; one sample at a
        // time (B=1 < kn) it transforms each sample's scaled spectrum. Outputs and every gradient must agree.
        try (FDConv2d fd = layer(8, 16, 3, 1, 1, 2, true, 61); TensorScope sc = Tensors.scope()) {
            randomize(fd, 62);
            try (Autograd.NoGradSection ng = Autograd.noGrad()) {
                fd.dftWeight().copyFrom(new Generator(65).normal(be, fd.dftWeight().shape(), 0, 0.05));
            }
            fd.eval();
            Tensor x = input(4, 8, 10, 10, 63);
            Tensor probe = new Generator(64).normal(be, Shape.of(4, 16, 10, 10), 0, 1);
            Tensor batched = fd.forward(x);
            batched.mul(probe).sum().backward();
            Map<String, float[]> gradBatched = new java.util.TreeMap<>();
            for (Map.Entry<String, Tensor> e : fd.namedParameters().entrySet()) {
                Tensor grad = e.getValue().grad();
                gradBatched.put(e.getKey(), grad == null ? new float[0] : grad.toFloatArray());
                e.getValue().zeroGrad();
            }
            List<Tensor> outs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Tensor y = fd.forward(x.narrow(0, i, 1));
                y.mul(probe.narrow(0, i, 1)).sum().backward();
                outs.add(y);
            }
            new Tolerance(1e-5, 1e-5).check("group form vs per-sample form", batched.toFloatArray(),
                    Tensors.concat(outs, 0).toFloatArray());
            for (Map.Entry<String, Tensor> e : fd.namedParameters().entrySet()) {
                Tensor grad = e.getValue().grad();
                new Tolerance(1e-4, 1e-4).check("gradient of " + e.getKey(), gradBatched.get(e.getKey()),
                        grad == null ? new float[0] : grad.toFloatArray());
            }
        }
    }

    // ------------------------------------------------------------------------ §12.5 FBM identity, telescoping

    @Test
    void fbmWithZeroGatesIsTheIdentityAndItsBandsTelescope() {
        try (FDConv2d fd = layer(8, 16, 3, 1, 1, 4, true, 31); TensorScope sc = Tensors.scope()) {
            Tensor x = input(2, 8, 16, 12, 32);
            FrequencyBandModulation fbm = fd.fbm();
            randomize(fd, 33);
            FrequencyBandModulation.Decomposition d = fbm.decompose(x);
            Tensor sum = d.bands().sum(1, false).add(d.lowest());
            new Tolerance(1e-5, 1e-5).check("sum of bands + lowest", sum.toFloatArray(), x.toFloatArray());
            assertThat(maxAbsDiff(fbm.forward(x), x)).as("random gates change the input").isGreaterThan(1e-3);
            neutralize(fd);
            new Tolerance(1e-5, 1e-5).check("fbm with zero gates", fbm.forward(x).toFloatArray(), x.toFloatArray());
        }
    }

    @ParameterizedTest
    @CsvSource({"16, 16", "12, 10", "8, 8", "15, 13", "13, 14", "28, 28", "64, 64", "70, 33", "1, 4"})
    void separableLowPassFiltersEqualTheTransforms(int h, int w) {
        try (FDConv2d fd = layer(8, 16, 3, 1, 1, 4, true, 34); TensorScope sc = Tensors.scope()) {
            Tensor x = input(2, 8, h, w, 35);
            List<Tensor> viaMatrices = fd.fbm().lows(x);
            List<Tensor> viaTransforms = fd.fbm().lowsByTransform(x);
            for (int j = 0; j < viaMatrices.size(); j++) {
                new Tolerance(1e-5, 1e-5).check("low " + j + " at " + h + "x" + w,
                        viaMatrices.get(j).toFloatArray(), viaTransforms.get(j).toFloatArray());
            }
        }
    }

    // ------------------------------------------------------------------------------------------ §12.6 groups

    @ParameterizedTest
    @CsvSource({"48, 24, 4", "24, 48, 4", "48, 48, 8", "16, 8, 4", "192, 192, 64", "256, 64, 64", "6, 6, 2"})
    void groupsPartitionTheSpectrumInRadialOrder(int hs, int ws, int kn) {
        FrequencyGroups g = FrequencyGroups.of(hs, ws, kn);
        int wr = ws / 2 + 1;
        int[] count = new int[kn];
        long[] minKey = new long[kn];
        long[] maxKey = new long[kn];
        java.util.Arrays.fill(minKey, Long.MAX_VALUE);
        java.util.Arrays.fill(maxKey, Long.MIN_VALUE);
        for (int r = 0; r < hs; r++) {
            for (int c = 0; c < wr; c++) {
                int grp = g.groupOf(r, c);
                count[grp]++;
                minKey[grp] = Math.min(minKey[grp], g.key(r, c));
                maxKey[grp] = Math.max(maxKey[grp], g.key(r, c));
            }
        }
        for (int i = 0; i < kn; i++) {
            assertThat(count[i]).as("size of group " + i).isEqualTo(hs * wr / kn);
            if (i > 0) {
                assertThat(maxKey[i - 1]).as("max key of group " + (i - 1) + " <= min key of group " + i)
                        .isLessThanOrEqualTo(minKey[i]);
                assertThat(maxKey[i - 1]).isLessThanOrEqualTo(maxKey[i]);
            }
        }
        // the table lists every position exactly once
        long[] table = g.table();
        boolean[] seen = new boolean[hs * wr];
        int n = hs * wr;
        for (int i = 0; i < n; i++) {
            int flat = (int) (table[i] * wr + table[n + i]);
            assertThat(seen[flat]).as("position listed twice").isFalse();
            seen[flat] = true;
            assertThat(g.groupOf((int) table[i], (int) table[n + i])).isEqualTo(i / (n / kn));
        }
        assertThat(g.key(0, 0)).isZero();
        assertThat(g.groupOf(0, 0)).isZero();
    }

    @Test
    void groupsRejectOddWidthsAndUnevenSplits() {
        assertThatThrownBy(() -> FrequencyGroups.of(48, 9, 4)).hasMessageContaining("even width");
        assertThatThrownBy(() -> FrequencyGroups.of(48, 24, 5)).hasMessageContaining("kernel_num=5");
    }

    // ---------------------------------------------------------------------------- §12.7 linearity and C2R rule

    @Test
    void outputIsLinearInTheFourierWeight() {
        try (FDConv2d fd = layer(16, 16, 3, 1, 1, 8, false, 41); TensorScope sc = Tensors.scope()) {
            randomize(fd, 42);
            Tensor x = input(2, 16, 8, 8, 43);
            Tensor y1 = fd.forward(x);
            try (Autograd.NoGradSection ng = Autograd.noGrad()) {
                fd.dftWeight().mulInPlace(2.5);
            }
            new Tolerance(1e-5, 1e-5).check("y(2.5 dft) = 2.5 y(dft)", fd.forward(x).toFloatArray(),
                    y1.mul(2.5).toFloatArray());
        }
    }

    @ParameterizedTest
    @CsvSource({"16, 16, 3, 8", "8, 16, 3, 4", "16, 8, 1, 4"})
    void imaginaryPartsAtSelfConjugatePointsGetNoGradient(int cin, int cout, int k, int kn) {
        try (FDConv2d fd = layer(cin, cout, k, 1, k / 2, kn, true, 51); TensorScope sc = Tensors.scope()) {
            randomize(fd, 52);
            Tensor x = input(2, cin, 8, 8, 53);
            Tensor probe = new Generator(54).normal(be, Shape.of(2, cout, 8, 8), 0, 1);
            fd.forward(x).mul(probe).sum().backward();
            Tensor grad = fd.dftWeight().grad();
            int hs = cout * k;
            int ws = cin * k;
            List<long[]> points = new ArrayList<>();
            for (int r : hs % 2 == 0 ? new int[] {0, hs / 2} : new int[] {0}) {
                for (int c : new int[] {0, ws / 2}) {
                    points.add(new long[] {0, r, c, 1});
                }
            }
            double scale = grad.abs().max().item();
            assertThat(scale).isGreaterThan(0);
            for (long[] pt : points) {
                assertThat(Math.abs(grad.getDouble(pt))).as("d/d Im dft at " + java.util.Arrays.toString(pt))
                        .isLessThanOrEqualTo(1e-6 * scale);
            }
            // and the Hermitian pairing of column 0: dRe[r] = dRe[-r], dIm[r] = -dIm[-r]
            double tol = 1e-5 * scale;
            assertThat(grad.getDouble(0, 1, 0, 0)).isCloseTo(grad.getDouble(0, hs - 1, 0, 0),
                    org.assertj.core.data.Offset.offset(tol));
            assertThat(grad.getDouble(0, 1, 0, 1)).isCloseTo(-grad.getDouble(0, hs - 1, 0, 1),
                    org.assertj.core.data.Offset.offset(tol));
        }
    }

    @ParameterizedTest
    @CsvSource({"0", "12"})
    void antiHermitianPerturbationsOfTheEdgeColumnsChangeNothing(int column) {
        // column 0 of a 16 -> 16 layer (Ws = 48), and the last column Ws/2 = 12 of an 8 -> 16 layer (Ws = 24)
        int cin = column == 0 ? 16 : 8;
        try (FDConv2d fd = layer(cin, 16, 3, 1, 1, 4, true, 61); TensorScope sc = Tensors.scope()) {
            randomize(fd, 62);
            int hs = 48;
            int c = column;
            assertThat(c == 0 || c == cin * 3 / 2).isTrue();
            int r = 1;
            assertThat(fd.frequencyGroups().groupOf(r, c)).as("rows r and -r share a group")
                    .isEqualTo(fd.frequencyGroups().groupOf(hs - r, c));
            Tensor x = input(2, cin, 8, 8, 63);
            Tensor y0 = fd.forward(x);
            try (Autograd.NoGradSection ng = Autograd.noGrad()) {
                // δ = 0.7 + 0.4i at row r, −conj δ = −0.7 + 0.4i at row −r
                Tensor d = fd.dftWeight();
                d.set(d.getDouble(0, r, c, 0) + 0.7, 0, r, c, 0);
                d.set(d.getDouble(0, r, c, 1) + 0.4, 0, r, c, 1);
                d.set(d.getDouble(0, hs - r, c, 0) - 0.7, 0, hs - r, c, 0);
                d.set(d.getDouble(0, hs - r, c, 1) + 0.4, 0, hs - r, c, 1);
                // and the self-conjugate point's imaginary part
                d.set(d.getDouble(0, 0, c, 1) + 3.0, 0, 0, c, 1);
            }
            new Tolerance(1e-5, 1e-5).check("anti-Hermitian perturbation of column " + c,
                    fd.forward(x).toFloatArray(), y0.toFloatArray());
            try (Autograd.NoGradSection ng = Autograd.noGrad()) {
                // a Hermitian perturbation does change the output (the check above is not vacuous)
                fd.dftWeight().set(fd.dftWeight().getDouble(0, hs - r, c, 0) + 1.4, 0, hs - r, c, 0);
            }
            assertThat(maxAbsDiff(fd.forward(x), y0)).isGreaterThan(1e-3);
        }
    }

    // ------------------------------------------------------------------------------ §12.8 path equivalence

    @ParameterizedTest
    @MethodSource("goldenConfigs")
    void weightAndFeatureModulationAgree(int b, int cin, int cout, int h, int w, int k, int s, int p, int kn,
                                         boolean bias) {
        try (FDConv2d fd = layer(cin, cout, k, s, p, kn, bias, 71); TensorScope sc = Tensors.scope()) {
            randomize(fd, 72);
            Tensor x = input(b, cin, h, w, 73);
            Tensor viaWeight = fd.forward(x, ModulationOrder.WEIGHT);
            Tensor viaFeature = fd.forward(x, ModulationOrder.FEATURE);
            new Tolerance(1e-5, 1e-5).check("weight vs feature modulation", viaFeature.toFloatArray(),
                    viaWeight.toFloatArray());
            new Tolerance(0, 0).check("AUTO is one of them", fd.forward(x).toFloatArray(),
                    (long) cout * cin * k * k < (long) (cin + cout) * h * w ? viaWeight.toFloatArray()
                            : viaFeature.toFloatArray());
        }
    }

    // ------------------------------------------------------------------------------------ §12.9 gradient flow

    static Stream<FdconvGolden> goldens() {
        return FdconvGolden.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void everyPartReceivesAGradientThatFloat64FiniteDifferencesConfirm(FdconvGolden c) {
        try (FDConv2d fd = c.layer(be); TensorScope sc = Tensors.scope()) {
            FDConvOptions o = fd.options();
            org.junit.jupiter.api.Assumptions.assumeTrue(fd.isFrequencyDynamic(), "spec §3: " + c + " is a plain"
                    + " convolution (min(Cin, Cout) <= use_fdconv_if_c_gt or k not in use_fdconv_if_k_in), which has"
                    + " none of the parts this property is about");
            org.junit.jupiter.api.Assumptions.assumeTrue(!c.trainMode() && o.useKsmLocal() && !o.ksmOnlyKernelAtt()
                    && o.ksmGlobalAct() == GateActivation.SIGMOID && o.ksmLocalAct() == GateActivation.SIGMOID
                    && o.fbm().act() == GateActivation.SIGMOID && !o.fbm().lowfreqAtt()
                    && o.fbm().spatialGroup() == 1, "the float64 reference covers the default (spec §9) path only");
            fd.loadStateDict(c.state(be), false);
            fd.eval();
            Tensor x = c.tensor(be, c.manifest().path("input").path("file").asText("input.npy")).requiresGrad(true);
            Tensor probe = c.tensor(be, c.manifest().path("loss").path("probe").asText("probe.npy"));
            fd.forward(x).mul(probe).sum().backward();

            ReferenceFdconv ref = new ReferenceFdconv(fd, c.cfg("B"), c.cfg("H"), c.cfg("W"));
            double[] xd = x.toDoubleArray();
            double[] pd = probe.toDoubleArray();
            // the float64 reference reproduces the golden output too
            double[] y = ref.forward(xd);
            float[] yf = new float[y.length];
            for (int i = 0; i < y.length; i++) {
                yf[i] = (float) y[i];
            }
            c.outputTolerance().check(c + " float64 reference output", yf,
                    c.floats(c.manifest().path("output").path("file").asText("output.npy")));

            Map<String, Tensor> params = fd.namedParameters();
            // spec §3: FBM exists only for k in use_fbm_if_k_in (or a stride above 1 with use_fbm_for_stride), so a
            // k=1 layer (golden case 3) has none; §4: the spatial head exists only for k > 1
            int k = c.cfg("k");
            boolean fbmExpected = o.useFbmIfKIn().contains(k) || (o.useFbmForStride() && c.cfg("stride") > 1);
            assertThat(fd.hasFbm()).as(c + ": FBM present (spec §3)").isEqualTo(fbmExpected);
            List<String> parts = new ArrayList<>(List.of("dft_weight", "KSM_Global.channel_fc.weight",
                    "KSM_Global.filter_fc.weight", "KSM_Local.conv.weight"));
            if (k > 1) {
                parts.add("KSM_Global.spatial_fc.weight");
            }
            if (fbmExpected) {
                parts.add("FBM.freq_weight_conv_list.0.weight");
            }
            assertThat(params.keySet()).as(c + " parameters").containsAll(parts);
            if (!fbmExpected) {
                assertThat(params.keySet()).as(c + " parameters (no FBM, spec §3)").noneMatch(n -> n.startsWith("FBM."));
            }
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                Tensor grad = e.getValue().grad();
                assertThat(grad).as(e.getKey() + " gets a gradient").isNotNull();
                assertThat(grad.abs().max().item()).as(e.getKey() + " gradient is non-zero").isGreaterThan(0);
                int at = argMaxAbs(grad.toDoubleArray());
                double[] values = ref.p.get(e.getKey());
                double fd64 = finiteDifference(ref, values, at, xd, pd);
                double mine = grad.toDoubleArray()[at];
                assertThat(Math.abs(mine - fd64)).as(c + " " + e.getKey() + "[" + at + "]: autograd " + mine
                        + " vs float64 finite difference " + fd64).isLessThanOrEqualTo(1e-4 * Math.abs(fd64) + 1e-6);
            }
            assertThat(x.grad().abs().max().item()).isGreaterThan(0);
            int at = argMaxAbs(x.grad().toDoubleArray());
            double fd64 = finiteDifference(ref, xd, at, xd, pd);
            assertThat(Math.abs(x.grad().toDoubleArray()[at] - fd64)).as(c + " input grad")
                    .isLessThanOrEqualTo(1e-4 * Math.abs(fd64) + 1e-6);
        }
    }

    private static double finiteDifference(ReferenceFdconv ref, double[] values, int at, double[] x, double[] probe) {
        double v = values[at];
        double step = 1e-5 * Math.max(1, Math.abs(v));
        values[at] = v + step;
        double plus = ref.loss(x, probe);
        values[at] = v - step;
        double minus = ref.loss(x, probe);
        values[at] = v;
        return (plus - minus) / (2 * step);
    }

    private static int argMaxAbs(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (Math.abs(v[i]) > Math.abs(v[best])) {
                best = i;
            }
        }
        return best;
    }

    // ---------------------------------------------------------------------------------------------- §12.10 masks

    @Test
    void masksFollowTheFloat32ThresholdsOfTheOfficialGrid() {
        boolean[][][] g = FbmMasks.grid(List.of(2, 4, 8), 64, 64);
        // f = 0.25 is excluded for k = 2 (the float32 threshold is exactly 0.25), 0.125 and 0.0625 are included
        assertThat(g[0][16][0]).isFalse();
        assertThat(g[0][0][16]).isFalse();
        assertThat(g[0][15][15]).isTrue();
        assertThat(g[1][8][8]).isTrue();
        assertThat(g[1][9][0]).isFalse();
        assertThat(g[2][4][4]).isTrue();
        assertThat(g[2][60][4]).isTrue();
        assertThat(g[2][59][0]).isFalse();
        // legacy nearest: identity at 64, float32 scale otherwise (64 -> 12 rows reads 0, 5, 10, ..., 58)
        float[] same = FbmMasks.resized(List.of(2, 4, 8), 64, 64, 64, 64);
        assertThat(same[16 * 33]).isZero();
        assertThat(FbmMasks.nearest(64, 12)).containsExactly(0, 5, 10, 16, 21, 26, 32, 37, 42, 48, 53, 58);
        assertThat(FbmMasks.nearest(33, 9)).containsExactly(0, 3, 7, 11, 14, 18, 22, 25, 29);
        assertThat(FbmMasks.nearest(8, 16)).containsExactly(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    }

    // --------------------------------------------------------------------------- §3 fallback, §5.2 train mode

    @Test
    void smallOrUnsupportedLayersArePlainConvolutionsWithTheirOwnWeight() {
        try (FDConv2d small = FDConv2d.builder(be, 16, 64, 3).padding(1).generator(new Generator(81)).build();
             FDConv2d k5 = FDConv2d.builder(be, 32, 32, 5).padding(2).generator(new Generator(82)).build();
             TensorScope sc = Tensors.scope()) {
            for (FDConv2d fd : List.of(small, k5)) {
                assertThat(fd.isFrequencyDynamic()).isFalse();
                assertThat(fd.stateDict().keySet()).containsExactly("weight", "bias");
                Tensor x = input(2, fd.inChannels(), 7, 7, 83);
                assertThat(fd.forward(x).toFloatArray()).containsExactly(Functional.conv2d(x, fd.weight(), fd.bias(),
                        fd.stride(), fd.padding(), fd.dilation(), 1).toFloatArray());
            }
        }
    }

    @Test
    void fdconvModeHasTheOfficialStateDictKeysAndNoSpatialWeight() {
        try (FDConv2d fd = FDConv2d.builder(be, 32, 32, 3).padding(1).generator(new Generator(84)).build()) {
            assertThat(fd.isFrequencyDynamic()).isTrue();
            assertThat(fd.stateDict().keySet()).doesNotContain("weight").contains("bias", "dft_weight",
                    "KSM_Global.fc.weight", "KSM_Global.bn.weight", "KSM_Global.bn.running_mean",
                    "KSM_Global.bn.num_batches_tracked", "KSM_Global.relu.scale", "KSM_Global.channel_fc.bias",
                    "KSM_Global.filter_fc.weight", "KSM_Global.spatial_fc.weight", "KSM_Global.kernel_fc.bias",
                    "KSM_Local.conv.weight", "KSM_Local.norm.weight", "FBM.freq_weight_conv_list.2.bias");
            // non-persistent buffers, as in the official module
            assertThat(fd.stateDict()).doesNotContainKeys("indices", "FBM.cached_masks");
            assertThat(fd.namedBuffers().get("indices").dims()).containsExactly(1, 2, 4, 96 * 49 / 4);
            assertThat(fd.namedBuffers().get("FBM.cached_masks").dims()).containsExactly(3, 1, 64, 33);
            // official init (spec §4): tiny heads, kaiming filter head, constant local conv
            assertThat(fd.ksmGlobal().kernelFc().weight().abs().max().item()).isLessThan(1e-4);
            assertThat(fd.ksmGlobal().filterFc().weight().abs().max().item()).isGreaterThan(0.05);
            assertThat(fd.ksmLocal().conv().weight().toFloatArray()).containsOnly(1e-6f);
        }
    }

    @Test
    void localKernelSizeGrowsWithTheChannelCount() {
        assertThat(List.of(8, 16, 32, 64, 128, 256, 512, 1024, 2048).stream()
                .map(KernelSpatialModulationLocal::kernelSizeFor).toList())
                .containsExactly(3, 3, 3, 5, 5, 5, 5, 7, 7);
    }

    @Test
    void trainingModeUsesBatchStatisticsAndUpdatesTheRunningOnes() {
        try (FDConv2d fd = layer(16, 16, 3, 1, 1, 8, true, 91); TensorScope sc = Tensors.scope()) {
            randomize(fd, 92);
            Tensor x = input(4, 16, 8, 8, 93);
            fd.eval();
            Tensor evalOut = fd.forward(x);
            float[] meanBefore = fd.ksmGlobal().bn().runningMean().toFloatArray();
            fd.train();
            Tensor trainOut = fd.forward(x);
            trainOut.sum().backward();
            assertThat(fd.ksmGlobal().bn().numBatchesTracked().getLong()).isEqualTo(1);
            assertThat(fd.ksmGlobal().bn().runningMean().toFloatArray()).isNotEqualTo(meanBefore);
            assertThat(maxAbsDiff(trainOut, evalOut)).isGreaterThan(1e-4);
            assertThat(fd.dftWeight().grad()).isNotNull();
            assertThatThrownBy(() -> fd.forward(input(1, 16, 8, 8, 94))).hasMessageContaining("B=1");
            fd.eval();
            assertThat(fd.forward(input(1, 16, 8, 8, 94)).dims()).containsExactly(1, 16, 8, 8);
        }
    }

    @Test
    void rejectsWrongInputsAndUnsupportedSettingsWithActionableMessages() {
        try (FDConv2d fd = layer(16, 16, 3, 1, 1, 8, true, 95); TensorScope sc = Tensors.scope()) {
            assertThatThrownBy(() -> fd.forward(input(2, 8, 8, 8, 96))).hasMessageContaining("16 channels");
        }
        assertThatThrownBy(() -> FDConvOptions.builder().paramRatio(2).build()).hasMessageContaining("param_ratio");
        assertThatThrownBy(() -> FDConv2d.builder(be, 32, 32, 3).groups(2).build()).hasMessageContaining("groups=2");
        assertThatThrownBy(() -> FDConv2d.builder(be, 32, 32, 3).kernelNum(5).build())
                .hasMessageContaining("kernel_num=5");
    }

    private static double maxAbsDiff(Tensor a, Tensor b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }
}
