package io.tessera.bench;

import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
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

/** Dispatch overhead: adding two 4-element tensors, through the Tensor API and on raw ND4J. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TinyOpBenchmark {
    private TensorBackend b;
    private Tensor x;
    private Tensor y;
    private INDArray nx;
    private INDArray ny;

    @Setup(Level.Trial)
    public void setUp() {
        b = Bench.cpu();
        x = b.tensor(new float[] {1, 2, 3, 4}, 4);
        y = b.tensor(new float[] {5, 6, 7, 8}, 4);
        nx = Nd4j.createFromArray(1f, 2f, 3f, 4f);
        ny = Nd4j.createFromArray(5f, 6f, 7f, 8f);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        x.close();
        y.close();
        b.close();
    }

    @Benchmark
    public void add4_tessera(Blackhole bh) {
        try (Tensor r = x.add(y)) {
            bh.consume(r);
        }
    }

    @Benchmark
    public void add4_nd4j(Blackhole bh) {
        INDArray r = nx.add(ny);
        bh.consume(r);
        r.close();
    }
}
