package io.tessera.bench;

import io.tessera.backend.cpu.kernels.ComplexPair;
import io.tessera.backend.cpu.kernels.Conv2dKernels;
import io.tessera.backend.cpu.kernels.Conv2dKernels.Algorithm;
import io.tessera.backend.cpu.kernels.FftKernels;
import io.tessera.backend.cpu.kernels.NormKernels;
import io.tessera.backend.cpu.kernels.PoolKernels;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Prints a table of CPU-backend kernel timings (min and median wall time over samples after warm-up, and process CPU
 * time per call): conv2d N=8, 64 to 64 channels, 56x56, 3x3, padding 1 (the PyTorch peer's shape) for each algorithm,
 * a depthwise conv, rfft2/irfft2, the norms and max-pool. Measures only; run it with {@code bench/tensor-bench.sh
 * --kernels}, once per nd4j-native classifier ({@code ND4J_CLASSIFIER}) to compare them.
 */
public final class KernelTimings {
    private static final int[] ONE = {1, 1};

    private KernelTimings() {
    }

    /** Prints the table. */
    public static void main(String[] args) {
        System.out.printf(Locale.ROOT, "| %-42s | %9s | %9s | %16s |%n", "kernel", "min ms", "median ms",
                "process CPU ms");
        System.out.println("|---|---|---|---|");
        printsKernelTimings();
    }

    private static void printsKernelTimings() {
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.randn(DataType.FLOAT, 8, 64, 56, 56);
        INDArray w = Nd4j.randn(DataType.FLOAT, 64, 64, 3, 3).muli(0.05);
        INDArray b = Nd4j.randn(DataType.FLOAT, 64);
        INDArray g = Nd4j.randn(DataType.FLOAT, 8, 64, 56, 56);
        System.err.println("conv2d N=8 64->64 56x56 3x3 p1; natives with oneDNN: " + Conv2dKernels.nativeHasOneDnn());
        for (Algorithm a : new Algorithm[] {Algorithm.AUTO, Algorithm.ND4J_NATIVE, Algorithm.IM2COL_GEMM}) {
            print(a + " forward", () -> Conv2dKernels.forward(x, w, b, ONE, ONE, ONE, 1, a), 15);
            print(a + " forward+backward", () -> {
                Conv2dKernels.forward(x, w, b, ONE, ONE, ONE, 1, a);
                return Conv2dKernels.backward(x, w, true, g, ONE, ONE, ONE, 1, a);
            }, 10);
        }
        INDArray wd = Nd4j.randn(DataType.FLOAT, 64, 1, 3, 3);
        print("depthwise 64ch forward", () -> Conv2dKernels.forward(x, wd, null, ONE, ONE, ONE, 64), 10);
        print("depthwise 64ch forward+backward", () -> {
            Conv2dKernels.forward(x, wd, null, ONE, ONE, ONE, 64);
            return Conv2dKernels.backward(x, wd, false, g, ONE, ONE, ONE, 64);
        }, 8);

        INDArray f = Nd4j.randn(DataType.FLOAT, 8, 64, 64, 64);
        ComplexPair spec = FftKernels.rfft2(f, FftKernels.Norm.ORTHO);
        print("rfft2 [8,64,64,64] ortho", () -> FftKernels.rfft2(f, FftKernels.Norm.ORTHO), 10);
        print("irfft2 [8,64,64,33] ortho", () -> FftKernels.irfft2(spec.real(), spec.imag(), new int[] {64, 64},
                FftKernels.Norm.ORTHO), 10);
        print("irfft2 backward", () -> FftKernels.irfft2Backward(f, spec.real().shape(), FftKernels.Norm.ORTHO), 10);

        INDArray ones = Nd4j.ones(DataType.FLOAT, 64);
        NormKernels.BatchNormTrainResult bn = NormKernels.batchNormTrain(x, ones, ones, ones, ones, 0.1, 1e-5);
        print("batch_norm train forward [8,64,56,56]", () -> NormKernels.batchNormTrain(x, ones, ones, ones, ones,
                0.1, 1e-5), 10);
        print("batch_norm train backward", () -> NormKernels.batchNormTrainBackward(x, ones, true, g,
                bn.batchMean(), bn.invStd()), 10);
        INDArray xl = Nd4j.randn(DataType.FLOAT, 32, 128, 512);
        INDArray wl = Nd4j.ones(DataType.FLOAT, 512);
        print("layer_norm [32,128,512] forward", () -> NormKernels.layerNorm(xl, new long[] {512}, wl, wl, 1e-5), 10);
        print("max_pool2d 2x2 [8,64,56,56]", () -> PoolKernels.maxPool2d(x, new int[] {2, 2}, null, new int[] {0, 0},
                false), 10);
    }

    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    private static void print(String what, Supplier<Object> r, int samples) {
        for (int i = 0; i < 3; i++) {
            r.get();
        }
        double[] ms = new double[samples];
        long cpu0 = processCpuNanos();
        for (int i = 0; i < samples; i++) {
            long t = System.nanoTime();
            r.get();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        double cpu = (processCpuNanos() - cpu0) / 1e6 / samples;
        Arrays.sort(ms);
        // process CPU time per call (all threads) shows the work when a shared host makes wall time noisy
        System.out.printf(Locale.ROOT, "| %-42s | %9.2f | %9.2f | %16.2f |%n", what, ms[0], ms[samples / 2], cpu);
    }
}
