package io.tessera.bench;

import io.tessera.api.nn.Conv2d;
import io.tessera.api.nn.Module;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.plugin.fdconv.FDConv2d;
import io.tessera.plugin.fdconv.FDConvOptions;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * FDConv2d against a plain Conv2d as in the PyTorch peer: B=8, 64 to 64 channels, 32x32, 3x3, padding 1; forward
 * without gradients, and forward plus backward (gradients of the input and of every parameter). Modules in eval mode
 * (FDConv's BatchNorm uses its running statistics, as the reference).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FdConvBenchmark {
    /** {@code conv} (plain Conv2d), {@code fdconv64} or {@code fdconv4} (FDConv2d with that kernel_num). */
    @Param({"conv", "fdconv64", "fdconv4"})
    public String layer;

    private TensorBackend b;
    private Module m;
    private Tensor x;
    private Tensor g;

    @Setup(Level.Trial)
    public void setUp() {
        b = Bench.cpu();
        Generator gen = new Generator(3);
        m = switch (layer) {
            case "conv" -> Conv2d.builder(b, 64, 64, 3).padding(1).generator(gen).build();
            case "fdconv64" -> FDConv2d.builder(b, 64, 64, 3).padding(1).generator(gen)
                    .options(FDConvOptions.builder().kernelNum(64).build()).build();
            case "fdconv4" -> FDConv2d.builder(b, 64, 64, 3).padding(1).generator(gen)
                    .options(FDConvOptions.builder().kernelNum(4).build()).build();
            default -> throw new IllegalArgumentException("unknown layer " + layer);
        };
        m.eval();
        x = Bench.normal(b, gen, 1, 8, 64, 32, 32);
        g = Bench.normal(b, gen, 1, 8, 64, 32, 32);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        x.close();
        g.close();
        m.close();
        b.close();
    }

    @Benchmark
    public void forward(Blackhole bh) {
        try (Autograd.NoGradSection ng = Autograd.noGrad(); TensorScope scope = Tensors.scope()) {
            bh.consume(m.forward(x));
        }
    }

    @Benchmark
    public void forwardBackward(Blackhole bh) {
        try (TensorScope scope = Tensors.scope()) {
            Tensor in = x.detach().requiresGrad(true);
            m.forward(in).backward(g);
            bh.consume(in.grad());
        }
        for (Tensor p : m.parameters()) {
            p.zeroGrad();
        }
    }
}
