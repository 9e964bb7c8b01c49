package io.tessera.backend.gpu;

import io.tessera.api.optim.Sgd;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.backend.gpu.cuda.GpuKernels;
import io.tessera.plugin.fdconv.CnnVariant;
import io.tessera.plugin.fdconv.CondConv2d;
import io.tessera.plugin.fdconv.FDConvOptions;
import io.tessera.training.models.ReferenceCnn;
import java.util.Locale;
import java.util.Set;

/**
 * GPU benchmarks for {@code device-check.sh} (never part of the test suite): sgemm 4096², conv2d N=64 64→64 56² 3×3
 * forward and forward+backward, the reference CNN training step at batch 128 and the FDConv CNN step. Prints one table
 * row per benchmark: median milliseconds over the timed repetitions after warm-up, and GFLOP/s where it is defined.
 * float32; FMA math (no TF32) unless {@code -Dtessera.gpu.tf32=true}.
 */
public final class GpuBenchmark {
    private GpuBenchmark() {
    }

    interface Body {
        void run(TensorBackend be);
    }

    private static double medianMs(GpuKernels k, TensorBackend be, int warmup, int reps, Body body) {
        for (int i = 0; i < warmup; i++) {
            try (TensorScope s = Tensors.scope()) {
                body.run(be);
            }
        }
        k.synchronize();
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            try (TensorScope s = Tensors.scope()) {
                body.run(be);
                k.synchronize();
            }
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        java.util.Arrays.sort(t);
        return t[reps / 2];
    }

    private static void row(String name, double ms, double flops) {
        System.out.printf(Locale.ROOT, "| %-44s | %10.3f | %10s |%n", name, ms,
                flops > 0 ? String.format(Locale.ROOT, "%.0f", flops / (ms / 1e3) / 1e9) : "");
    }

    /** Runs every benchmark on device {@code -Dtessera.gpu.device} (default 0). */
    public static void main(String[] args) {
        GpuBackendProvider p = new GpuBackendProvider();
        if (!p.isAvailable()) {
            System.out.println("GPU benchmarks skipped: " + p.availability().reason());
            return;
        }
        System.out.println("device: " + p.availability().reason());
        GpuKernels k = GpuKernels.open(Integer.getInteger(GpuBackendProvider.DEVICE, 0));
        Generator g = new Generator(1);
        try (TensorBackend be = TensorBackend.of(k)) {
            System.out.println("| benchmark                                    |  median ms |    GFLOP/s |");
            System.out.println("|---|---:|---:|");
            Tensor a = Tensors.unscoped(() -> g.normal(be, Shape.of(4096, 4096), 0, 1));
            Tensor b = Tensors.unscoped(() -> g.normal(be, Shape.of(4096, 4096), 0, 1));
            row("sgemm 4096x4096x4096", medianMs(k, be, 3, 10, x -> a.matmul(b)), 2.0 * 4096 * 4096 * 4096);
            a.close();
            b.close();

            int[] one = {1, 1};
            Tensor x = Tensors.unscoped(() -> g.normal(be, Shape.of(64, 64, 56, 56), 0, 1));
            Tensor w = Tensors.unscoped(() -> g.normal(be, Shape.of(64, 64, 3, 3), 0, 0.05));
            double convFlops = 2.0 * 64 * 64 * 56 * 56 * 64 * 9;
            row("conv2d N=64 64->64 56x56 3x3 fwd", medianMs(k, be, 3, 10,
                    e -> Functional.conv2d(x, w, null, one, one, one, 1)), convFlops);
            x.requiresGrad(true);
            w.requiresGrad(true);
            Tensor up = Tensors.unscoped(() -> g.normal(be, Shape.of(64, 64, 56, 56), 0, 1));
            row("conv2d N=64 64->64 56x56 3x3 fwd+bwd", medianMs(k, be, 3, 10, e -> {
                Functional.conv2d(x, w, null, one, one, one, 1).backward(up);
            }), 3 * convFlops);
            x.close();
            w.close();
            up.close();

            row("reference CNN train step, batch 128", cnnStep(k, be, ReferenceCnn.builder(be, 3).build()), 0);
            CnnVariant fd = new CnnVariant(CnnVariant.Layer.FDCONV, Set.of("conv1", "conv2"), FDConvOptions.defaults(),
                    4, CondConv2d.Routing.SIGMOID);
            row("FDConv CNN train step, batch 128", cnnStep(k, be, ReferenceCnn.builder(be, 3).replace(fd).build()),
                    0);
            System.out.println("allocator: " + k.memoryStats());
        }
    }

    private static double cnnStep(GpuKernels k, TensorBackend be, ReferenceCnn model) {
        Generator g = new Generator(2);
        long[] labels = new long[128];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        Tensor x = Tensors.unscoped(() -> g.uniform(be, Shape.of(128, 1, 28, 28), 0, 1));
        Tensor y = Tensors.unscoped(() -> be.tensor(labels, 128));
        try (model; Sgd opt = new Sgd(model.parameters(), 0.01)) {
            return medianMs(k, be, 3, 20, e -> {
                opt.zeroGrad();
                Functional.crossEntropy(model.forward(x), y).backward();
                opt.step();
            });
        } finally {
            x.close();
            y.close();
        }
    }
}
