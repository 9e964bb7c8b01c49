package io.tessera.backend.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.optim.Sgd;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.backend.gpu.cuda.GpuKernels;
import io.tessera.testkit.TestBackends;
import io.tessera.training.models.ReferenceCnn;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reference CNN on the GPU: one forward/backward agrees with the CPU backend (same seed, same batch), and a short
 * SGD run lowers the loss and leaves no device memory behind. Skipped without a usable GPU.
 */
class GpuCnnTrainingTest {

    private static float[] batch(long seed, int n) {
        float[] x = new float[n * 28 * 28];
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        return x;
    }

    private static long[] labels(int n) {
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 10;
        }
        return y;
    }

    private static Map<String, float[]> lossAndGrads(TensorBackend be, float[] x, long[] y) {
        try (ReferenceCnn model = ReferenceCnn.builder(be, 7).build(); TensorScope s = Tensors.scope()) {
            Tensor loss = Functional.crossEntropy(model.forward(be.tensor(x, y.length, 1, 28, 28)), be.tensor(y,
                    y.length));
            loss.backward();
            Map<String, float[]> out = new java.util.LinkedHashMap<>();
            out.put("loss", loss.toFloatArray());
            model.namedParameters().forEach((k, v) -> out.put(k, v.grad().toFloatArray()));
            return out;
        }
    }

    @Test
    void oneStepAgreesWithTheCpu() {
        GpuBackendProvider p = GpuDevice.require("the CNN agreement test");
        float[] x = batch(3, 16);
        long[] y = labels(16);
        boolean cpuHere = java.util.ServiceLoader.load(io.tessera.api.tensor.TensorBackendProvider.class).stream()
                .anyMatch(pr -> pr.get().name().equals("cpu") && pr.get().isAvailable());
        if (!cpuHere) {
            System.out.println("[gpu] skipped the CNN agreement test: no CPU backend on this class path (the device kit"
                    + " leaves ND4J out)");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(cpuHere, "no CPU backend to compare with");
        Map<String, float[]> cpu;
        try (TensorBackend be = TestBackends.named("cpu")) {
            cpu = lossAndGrads(be, x, y);
        }
        Map<String, float[]> gpu;
        try (TensorBackend be = p.create()) {
            gpu = lossAndGrads(be, x, y);
        }
        assertThat(gpu.keySet()).isEqualTo(cpu.keySet());
        for (String k : cpu.keySet()) {
            float[] a = cpu.get(k);
            float[] b = gpu.get(k);
            for (int i = 0; i < a.length; i++) {
                assertThat((double) b[i]).as(k + "[" + i + "]").isCloseTo(a[i],
                        org.assertj.core.data.Offset.offset(1e-4 + 1e-3 * Math.abs(a[i])));
            }
        }
    }

    @Test
    void shortTrainingLowersTheLossAndFreesItsMemory() {
        GpuBackendProvider p = GpuDevice.require("the short CNN training run");
        GpuKernels kernels = GpuKernels.open(Integer.getInteger(GpuBackendProvider.DEVICE, 0));
        try (TensorBackend be = TensorBackend.of(kernels)) {
            float[] x = batch(5, 64);
            long[] y = labels(64);
            double first;
            double last = Double.NaN;
            try (ReferenceCnn model = ReferenceCnn.builder(be, 11).build();
                 Sgd opt = new Sgd(model.parameters(), 0.05)) {
                Tensor xs = Tensors.unscoped(() -> be.tensor(x, 64, 1, 28, 28));
                Tensor ys = Tensors.unscoped(() -> be.tensor(y, 64));
                first = Double.NaN;
                for (int step = 0; step < 30; step++) {
                    try (TensorScope s = Tensors.scope()) {
                        opt.zeroGrad();
                        Tensor loss = Functional.crossEntropy(model.forward(xs), ys);
                        loss.backward();
                        opt.step();
                        last = loss.item();
                        if (step == 0) {
                            first = last;
                        }
                    }
                }
                xs.close();
                ys.close();
                System.out.println("[gpu] reference CNN, 30 SGD steps on one batch of 64: loss " + first + " -> "
                        + last + "; allocator " + kernels.memoryStats());
            }
            assertThat(last).isLessThan(first * 0.5);
            assertThat(kernels.openStorages()).as("every device tensor closed").isZero();
        }
    }
}
