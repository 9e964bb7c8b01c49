package io.tessera.backend.cpu.kernels;

import io.tessera.backend.cpu.kernels.Conv2dKernels.Algorithm;
import java.util.Arrays;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Prints kernel timings (min and median over samples, after warm-up): conv2d N=8, 64 to 64 channels, 56x56, 3x3,
 * padding 1 (the PyTorch peer's shape) for each algorithm, a depthwise conv, rfft2/irfft2 and the norms. Measures
 * only; asserts nothing about time. The root build excludes the {@code slow} tag, so run {@link #main} on the test
 * class path, once per nd4j-native classifier to compare them.
 */
@Tag("slow")
public class KernelTimingTest {
    private static final int[] ONE = {1, 1};

    /** Runs the timings outside JUnit. */
    public static void main(String[] args) {
        new KernelTimingTest().printsKernelTimings();
    }

    @Test
    void printsKernelTimings() {
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.randn(DataType.FLOAT, 8, 64, 56, 56);
        INDArray w = Nd4j.randn(DataType.FLOAT, 64, 64, 3, 3).muli(0.05);
        INDArray b = Nd4j.randn(DataType.FLOAT, 64);
        INDArray g = Nd4j.randn(DataType.FLOAT, 8, 64, 56, 56);
        System.out.println("conv2d N=8 64->64 56x56 3x3 p1; natives with oneDNN: " + Conv2dKernels.nativeHasOneDnn());
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
        System.out.printf("%-42s min %8.2f  median %8.2f ms  (process CPU %8.2f ms/call)%n", what, ms[0],
                ms[samples / 2], cpu);
    }
}
