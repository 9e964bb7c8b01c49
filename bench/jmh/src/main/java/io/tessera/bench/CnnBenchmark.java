package io.tessera.bench;

import io.tessera.api.optim.Adam;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.plugin.fdconv.CondConv2d;
import io.tessera.plugin.fdconv.FDConvOptions;
import io.tessera.plugin.fdconv.CnnVariant;
import io.tessera.training.models.ReferenceCnn;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The reference CNN's training step (batch 128, Adam 1e-3, cross-entropy; the network of
 * {@code shared/peers/torch-cpu.md}), plain and with FDConv (kernel_num 4) as its second convolution, on random
 * 28x28 images with fixed labels: forward, loss, backward and the optimiser step, every intermediate freed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CnnBenchmark {
    /** {@code plain} or {@code fdconv} (conv2 replaced by FDConv2d, kernel_num 4, as the peer's CNN-FDConv). */
    @Param({"plain", "fdconv"})
    public String variant;

    private TensorBackend b;
    private ReferenceCnn model;
    private Adam adam;
    private Tensor x;
    private Tensor y;

    @Setup(Level.Trial)
    public void setUp() {
        b = Bench.cpu();
        CnnVariant v = variant.equals("plain") ? CnnVariant.plain()
                : new CnnVariant(CnnVariant.Layer.FDCONV, Set.of("conv2"),
                        FDConvOptions.builder().kernelNum(4).build(), 4, CondConv2d.Routing.SIGMOID);
        model = v.build(b, 0, 1, 28, 28, 10);
        adam = new Adam(model.parameters(), 1e-3);
        Generator g = new Generator(1);
        x = g.uniform(b, io.tessera.api.tensor.Shape.of(128, 1, 28, 28), 0, 1);
        long[] labels = new long[128];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = g.nextLong(10);
        }
        y = b.tensor(labels, 128);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        x.close();
        y.close();
        adam.close();
        model.close();
        b.close();
    }

    @Benchmark
    public double trainStep() {
        try (TensorScope scope = Tensors.scope()) {
            Tensor loss = Functional.crossEntropy(model.forward(x), y);
            adam.zeroGrad();
            loss.backward();
            adam.step();
            return loss.item();
        }
    }
}
