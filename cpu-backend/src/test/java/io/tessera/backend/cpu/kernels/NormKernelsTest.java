package io.tessera.backend.cpu.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.testkit.golden.GoldenCase;
import io.tessera.testkit.golden.Tolerance;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NormKernelsTest {
    private static final Tolerance CLOSE = new Tolerance(1e-4, 1e-5);

    static List<GoldenCase> trainCases() {
        return Goldens.cases("batch_norm_train");
    }

    static List<GoldenCase> evalCases() {
        return Goldens.cases("batch_norm_eval");
    }

    static List<GoldenCase> layerCases() {
        return Goldens.cases("layer_norm");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trainCases")
    void trainingBatchNormMatchesGoldens(GoldenCase c) {
        INDArray x = Goldens.input(c, "x");
        INDArray w = Goldens.input(c, "weight");
        INDArray rm = Goldens.input(c, "running_mean");
        INDArray rv = Goldens.input(c, "running_var");
        INDArray rmBefore = rm.dup();
        double momentum = c.attributes().path("momentum").asDouble();
        double eps = c.attributes().path("eps").asDouble();
        NormKernels.BatchNormTrainResult r = NormKernels.batchNormTrain(x, w, Goldens.input(c, "bias"), rm, rv,
                momentum, eps);
        Goldens.checkOutput(c, "out", r.out());
        Goldens.checkOutput(c, "batch_mean", r.batchMean());
        Goldens.checkOutput(c, "batch_var", r.batchVar());
        Goldens.checkOutput(c, "running_mean_updated", r.runningMeanUpdated());
        Goldens.checkOutput(c, "running_var_updated", r.runningVarUpdated());
        assertThat(rm).isEqualTo(rmBefore);

        NormKernels.NormGrads g = NormKernels.batchNormTrainBackward(x, w, true, Goldens.upstream(c), r.batchMean(),
                r.invStd());
        Goldens.checkGrad(c, "x", g.dx());
        Goldens.checkGrad(c, "weight", g.dweight());
        Goldens.checkGrad(c, "bias", g.dbias());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("evalCases")
    void evalBatchNormMatchesGoldens(GoldenCase c) {
        INDArray x = Goldens.input(c, "x");
        INDArray w = Goldens.input(c, "weight");
        INDArray rm = Goldens.input(c, "running_mean");
        INDArray rv = Goldens.input(c, "running_var");
        double eps = c.attributes().path("eps").asDouble();
        Goldens.checkOutput(c, "out", NormKernels.batchNormEval(x, w, Goldens.input(c, "bias"), rm, rv, eps));
        NormKernels.NormGrads g = NormKernels.batchNormEvalBackward(x, w, true, Goldens.upstream(c), rm, rv, eps);
        Goldens.checkGrad(c, "x", g.dx());
        Goldens.checkGrad(c, "weight", g.dweight());
        Goldens.checkGrad(c, "bias", g.dbias());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layerCases")
    void layerNormMatchesGoldens(GoldenCase c) {
        INDArray x = Goldens.input(c, "x");
        INDArray w = Goldens.input(c, "weight");
        long[] ns = w.shape();
        double eps = c.attributes().path("eps").asDouble();
        NormKernels.NormResult r = NormKernels.layerNorm(x, ns, w, Goldens.input(c, "bias"), eps);
        Goldens.checkOutput(c, "out", r.out());
        NormKernels.NormGrads g = NormKernels.layerNormBackward(x, ns, w, true, Goldens.upstream(c), r.mean(),
                r.rstd());
        Goldens.checkGrad(c, "x", g.dx());
        Goldens.checkGrad(c, "weight", g.dweight());
        Goldens.checkGrad(c, "bias", g.dbias());
    }

    @Test
    void groupNormWithOneGroupEqualsLayerNormOverChannelsAndPixels() {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 4, 3, 5);
        INDArray g = Nd4j.randn(DataType.FLOAT, 2, 4, 3, 5);
        long[] ns = {4, 3, 5};
        NormKernels.NormResult gn = NormKernels.groupNorm(x, 1, null, null, 1e-5);
        NormKernels.NormResult ln = NormKernels.layerNorm(x, ns, null, null, 1e-5);
        CLOSE.check("group norm out", floats(gn.out()), floats(ln.out()));
        NormKernels.NormGrads gg = NormKernels.groupNormBackward(x, 1, null, false, g, gn.mean(), gn.rstd());
        NormKernels.NormGrads lg = NormKernels.layerNormBackward(x, ns, null, false, g, ln.mean(), ln.rstd());
        CLOSE.check("group norm dx", floats(gg.dx()), floats(lg.dx()));
        assertThat(gg.dweight()).isNull();
    }

    /** Large enough for the multi-threaded ranges of both kernels; a per-channel layer-norm weight is a GN weight. */
    @Test
    void largeLayerNormWithPerChannelWeightsMatchesSingleGroupNorm() {
        Nd4j.getRandom().setSeed(8);
        INDArray x = Nd4j.randn(DataType.FLOAT, 64, 8, 12, 12);
        INDArray g = Nd4j.randn(DataType.FLOAT, 64, 8, 12, 12);
        INDArray wc = Nd4j.randn(DataType.FLOAT, 8);
        INDArray bc = Nd4j.randn(DataType.FLOAT, 8);
        long[] ns = {8, 12, 12};
        INDArray wl = wc.reshape(8, 1, 1).broadcast(8, 12, 12).dup('c');
        INDArray bl = bc.reshape(8, 1, 1).broadcast(8, 12, 12).dup('c');
        NormKernels.NormResult gn = NormKernels.groupNorm(x, 1, wc, bc, 1e-5);
        NormKernels.NormResult ln = NormKernels.layerNorm(x, ns, wl, bl, 1e-5);
        CLOSE.check("out", floats(ln.out()), floats(gn.out()));
        NormKernels.NormGrads gg = NormKernels.groupNormBackward(x, 1, wc, true, g, gn.mean(), gn.rstd());
        NormKernels.NormGrads lg = NormKernels.layerNormBackward(x, ns, wl, true, g, ln.mean(), ln.rstd());
        CLOSE.check("dx", floats(lg.dx()), floats(gg.dx()));
        new Tolerance(1e-4, 1e-4).check("dweight", floats(lg.dweight().sum(1, 2)), floats(gg.dweight()));
        new Tolerance(1e-4, 1e-4).check("dbias", floats(lg.dbias().sum(1, 2)), floats(gg.dbias()));
    }

    @Test
    void groupNormWithOneChannelPerGroupEqualsInstanceNormThroughBatchNormOfEachSample() {
        Nd4j.getRandom().setSeed(4);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 3, 4, 4);
        INDArray w = Nd4j.randn(DataType.FLOAT, 3);
        INDArray b = Nd4j.randn(DataType.FLOAT, 3);
        INDArray g = Nd4j.randn(DataType.FLOAT, 2, 3, 4, 4);
        NormKernels.NormResult gn = NormKernels.groupNorm(x, 3, w, b, 1e-5);
        NormKernels.NormGrads gg = NormKernels.groupNormBackward(x, 3, w, true, g, gn.mean(), gn.rstd());
        float[] dw = new float[3];
        float[] db = new float[3];
        for (int n = 0; n < 2; n++) {
            INDArray xn = x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(n)).reshape(1, 3, 4, 4);
            INDArray gOut = g.get(org.nd4j.linalg.indexing.NDArrayIndex.point(n)).reshape(1, 3, 4, 4);
            NormKernels.BatchNormTrainResult bn = NormKernels.batchNormTrain(xn, w, b, null, null, 0.1, 1e-5);
            CLOSE.check("out of sample " + n, floats(gn.out().get(org.nd4j.linalg.indexing.NDArrayIndex.point(n))),
                    floats(bn.out()));
            NormKernels.NormGrads bg = NormKernels.batchNormTrainBackward(xn, w, true, gOut, bn.batchMean(),
                    bn.invStd());
            CLOSE.check("dx of sample " + n, floats(gg.dx().get(org.nd4j.linalg.indexing.NDArrayIndex.point(n))),
                    floats(bg.dx()));
            for (int c = 0; c < 3; c++) {
                dw[c] += bg.dweight().getFloat(c);
                db[c] += bg.dbias().getFloat(c);
            }
        }
        CLOSE.check("dweight", floats(gg.dweight()), dw);
        CLOSE.check("dbias", floats(gg.dbias()), db);
    }

    /** Large enough for the multi-threaded loops: checks invariants of batch norm instead of stored values. */
    @Test
    void largeTrainingBatchNormNormalisesEachChannelAndItsInputGradientSumsToZero() {
        Nd4j.getRandom().setSeed(21);
        INDArray x = Nd4j.randn(DataType.FLOAT, 8, 16, 24, 24).muli(3).addi(1.5);
        INDArray w = Nd4j.rand(DataType.FLOAT, 16).addi(0.5);
        INDArray b = Nd4j.randn(DataType.FLOAT, 16);
        NormKernels.BatchNormTrainResult r = NormKernels.batchNormTrain(x, w, b, null, null, 0.1, 1e-5);
        INDArray mean = r.out().mean(0, 2, 3);
        INDArray std = r.out().std(false, 0, 2, 3);
        CLOSE.check("per-channel mean = bias", floats(mean), floats(b));
        new Tolerance(1e-3, 1e-4).check("per-channel std = |weight|", floats(std), floats(w));
        NormKernels.NormGrads g = NormKernels.batchNormTrainBackward(x, w, true, Nd4j.randn(DataType.FLOAT,
                x.shape()), r.batchMean(), r.invStd());
        new Tolerance(0, 2e-3).check("per-channel sum of dx", floats(g.dx().sum(0, 2, 3)), new float[16]);
    }

    @Test
    void layerNormRejectsAMismatchedNormalizedShape() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 4);
        assertThatThrownBy(() -> NormKernels.layerNorm(x, new long[] {3}, null, null, 1e-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("normalized_shape");
    }

    private static float[] floats(INDArray a) {
        return a.dup('c').castTo(DataType.FLOAT).data().asFloat();
    }
}
