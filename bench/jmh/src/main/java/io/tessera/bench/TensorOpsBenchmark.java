package io.tessera.bench;

import io.tessera.api.tensor.ComplexTensor;
import io.tessera.api.tensor.Fft;
import io.tessera.api.tensor.FftNorm;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.backend.cpu.kernels.ComplexPair;
import io.tessera.backend.cpu.kernels.FftKernels;
import io.tessera.backend.cpu.kernels.NormKernels;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LayerNorm;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The op list, each through the Tensor API ({@code *_tessera}) and as the same work on raw ND4J
 * ({@code *_nd4j}: ND4J's own op; for layer norm and the FFTs, which ND4J lacks or gets wrong, the backend's kernel
 * called directly on ND4J arrays, {@code *_kernel}), so that the difference is the Tensor API's dispatch overhead.
 * Every call allocates its result and frees it before returning, on both sides.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TensorOpsBenchmark {
    private static final long[] LN_SHAPE = {32, 128, 768};
    private static final long[] SOFTMAX_SHAPE = {256, 1024};
    private static final long[] FFT_SHAPE = {8, 16, 64, 64};

    private TensorBackend b;
    private Tensor ga;
    private Tensor gb;
    private INDArray na;
    private INDArray nb;

    private Tensor cx;
    private Tensor cw;
    private Tensor cb;
    private Tensor cg;
    private Tensor cxd;
    private Tensor cwd;
    private Tensor cbd;
    private INDArray nx;
    private INDArray nw;
    private INDArray nbias;
    private INDArray ng;

    private Tensor lx;
    private Tensor lw;
    private Tensor lb;
    private INDArray nlx;
    private INDArray nlw;
    private INDArray nlb;

    private Tensor sx;
    private INDArray nsx;

    private Tensor fx;
    private ComplexTensor fspec;
    private INDArray nfx;
    private ComplexPair nfspec;

    @Setup(Level.Trial)
    public void setUp() {
        b = Bench.cpu();
        Generator g = new Generator(42);
        ga = Bench.normal(b, g, 1, 2048, 2048);
        gb = Bench.normal(b, g, 1, 2048, 2048);
        na = Bench.nd4j(ga);
        nb = Bench.nd4j(gb);

        cx = Bench.normal(b, g, 1, 8, 64, 56, 56).requiresGrad(true);
        cw = Bench.normal(b, g, 0.05, 64, 64, 3, 3).requiresGrad(true);
        cb = Bench.normal(b, g, 0.1, 64).requiresGrad(true);
        cg = Bench.normal(b, g, 1, 8, 64, 56, 56);
        cxd = cx.detach();
        cwd = cw.detach();
        cbd = cb.detach();
        nx = Bench.nd4j(cx);
        nw = Bench.nd4j(cw);
        nbias = Bench.nd4j(cb);
        ng = Bench.nd4j(cg);

        lx = Bench.normal(b, g, 1, LN_SHAPE);
        lw = Bench.normal(b, g, 1, 768);
        lb = Bench.normal(b, g, 1, 768);
        nlx = Bench.nd4j(lx);
        nlw = Bench.nd4j(lw);
        nlb = Bench.nd4j(lb);

        sx = Bench.normal(b, g, 1, SOFTMAX_SHAPE);
        nsx = Bench.nd4j(sx);

        fx = Bench.normal(b, g, 1, FFT_SHAPE);
        nfx = Bench.nd4j(fx);
        fspec = Fft.rfft2(fx, FftNorm.BACKWARD);
        nfspec = new ComplexPair(Bench.nd4j(fspec.real()), Bench.nd4j(fspec.imag()));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {ga, gb, cxd, cwd, cbd, cx, cw, cb, cg, lx, lw, lb, sx, fx}) {
            t.close();
        }
        fspec.close();
        b.close();
    }

    // ------------------------------------------------------------------------------------------- sgemm 2048²

    @Benchmark
    public void sgemm2048_tessera(Blackhole bh) {
        try (Tensor r = ga.matmul(gb)) {
            bh.consume(r);
        }
    }

    @Benchmark
    public void sgemm2048_nd4j(Blackhole bh) {
        INDArray r = na.mmul(nb);
        bh.consume(r);
        r.close();
    }

    // ------------------------------------------------------------------------ conv2d N=8 64->64 56x56 3x3

    @Benchmark
    public void conv2dForward_tessera(Blackhole bh) {
        try (Tensor r = Functional.conv2d(cxd, cwd, cbd, Bench.ONE, Bench.ONE, Bench.ONE, 1)) {
            bh.consume(r);
        }
    }

    @Benchmark
    public void conv2dForward_nd4j(Blackhole bh) {
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, new long[] {8, 64, 56, 56}, 'c');
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(nx, nw, nbias).addOutputs(out)
                .addIntegerArguments(3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 1).build());
        bh.consume(out);
        out.close();
    }

    @Benchmark
    public void conv2dForwardBackward_tessera(Blackhole bh) {
        try (TensorScope s = Tensors.scope()) {
            Tensor y = Functional.conv2d(cx, cw, cb, Bench.ONE, Bench.ONE, Bench.ONE, 1);
            y.backward(cg);
            bh.consume(cw.grad());
        }
        cx.zeroGrad();
        cw.zeroGrad();
        cb.zeroGrad();
    }

    @Benchmark
    public void conv2dForwardBackward_nd4j(Blackhole bh) {
        int[] args = {3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 1};
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, new long[] {8, 64, 56, 56}, 'c');
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(nx, nw, nbias).addOutputs(out)
                .addIntegerArguments(args).build());
        INDArray dx = Nd4j.createUninitialized(DataType.FLOAT, nx.shape(), 'c');
        INDArray dw = Nd4j.createUninitialized(DataType.FLOAT, nw.shape(), 'c');
        INDArray db = Nd4j.createUninitialized(DataType.FLOAT, nbias.shape(), 'c');
        Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(nx, nw, nbias, ng).addOutputs(dx, dw, db)
                .addIntegerArguments(args).build());
        bh.consume(dw);
        for (INDArray a : new INDArray[] {out, dx, dw, db}) {
            a.close();
        }
    }

    // ------------------------------------------------------------------------------ layer norm [32,128,768]

    @Benchmark
    public void layerNorm_tessera(Blackhole bh) {
        try (Tensor r = Functional.layerNorm(lx, new long[] {768}, lw, lb, 1e-5)) {
            bh.consume(r);
        }
    }

    @Benchmark
    public void layerNorm_kernel(Blackhole bh) {
        NormKernels.NormResult r = NormKernels.layerNorm(nlx, new long[] {768}, nlw, nlb, 1e-5);
        bh.consume(r);
        r.out().close();
        r.mean().close();
        r.rstd().close();
    }

    @Benchmark
    public void layerNorm_nd4j(Blackhole bh) {
        // ND4J's layer_norm op over the last axis, with gain and bias (channelsFirst=false: they span that axis)
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, nlx.shape(), 'c');
        Nd4j.exec(new LayerNorm(nlx, nlw, nlb, out, false, 2));
        bh.consume(out);
        out.close();
    }

    // --------------------------------------------------------------------------------- softmax [256,1024]

    @Benchmark
    public void softmax_tessera(Blackhole bh) {
        try (Tensor r = sx.softmax(1)) {
            bh.consume(r);
        }
    }

    @Benchmark
    public void softmax_nd4j(Blackhole bh) {
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, nsx.shape(), 'c');
        Nd4j.exec(new SoftMax(nsx, out, 1));
        bh.consume(out);
        out.close();
    }

    // ------------------------------------------------------------------- rfft2 / irfft2 [8,16,64,64]

    @Benchmark
    public void rfft2_tessera(Blackhole bh) {
        try (ComplexTensor r = Fft.rfft2(fx, FftNorm.BACKWARD)) {
            bh.consume(r);
        }
    }

    @Benchmark
    public void rfft2_kernel(Blackhole bh) {
        ComplexPair p = FftKernels.rfft2(nfx, FftKernels.Norm.BACKWARD);
        bh.consume(p);
        p.real().close();
        p.imag().close();
    }

    @Benchmark
    public void irfft2_tessera(Blackhole bh) {
        try (Tensor r = Fft.irfft2(fspec, 64, 64, FftNorm.BACKWARD)) {
            bh.consume(r);
        }
    }

    @Benchmark
    public void irfft2_kernel(Blackhole bh) {
        INDArray r = FftKernels.irfft2(nfspec.real(), nfspec.imag(), new int[] {64, 64}, FftKernels.Norm.BACKWARD);
        bh.consume(r);
        r.close();
    }
}
