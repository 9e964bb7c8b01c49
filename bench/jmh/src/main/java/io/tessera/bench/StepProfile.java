package io.tessera.bench;

import io.tessera.api.nn.Conv2d;
import io.tessera.api.nn.Module;
import io.tessera.api.optim.Adam;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.spi.TensorKernels;
import io.tessera.api.tensor.spi.TensorStorage;
import io.tessera.backend.cpu.CpuBackendProvider;
import io.tessera.api.tensor.Tensors;
import io.tessera.plugin.fdconv.CondConv2d;
import io.tessera.plugin.fdconv.FDConvOptions;
import io.tessera.plugin.fdconv.CnnVariant;
import io.tessera.plugin.fdconv.FDConv2d;
import io.tessera.training.models.ReferenceCnn;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where the reference CNN's training step (batch 128, Adam) spends its time: the CPU backend wrapped in a proxy that
 * times every kernel call (wall time, and CPU time of all Java threads, which stays meaningful on a busy machine; the
 * OpenMP threads of ND4J are not Java threads, so run with {@code OMP_NUM_THREADS=1} for complete CPU times). Prints
 * the step time over the second half of the steps and the kernels by time per step.
 *
 * <p>{@code java -cp ... io.tessera.bench.StepProfile [steps] [profile] [fdconv|fdconv-layer]}: without
 * {@code profile} only the step times (no proxy); with {@code fdconv} the CNN with FDConv (kernel_num 4) as conv2, as
 * {@code CnnBenchmark}'s variant; with {@code fdconv-layer} FDConv2d's forward and backward alone, as
 * {@code FdConvBenchmark} (kernel_num 64), with {@code conv-layer} the plain Conv2d of that shape; run by
 * {@code bench/tensor-bench.sh --profile [steps] [fdconv|fdconv-layer]}.
 */
public final class StepProfile {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private StepProfile() {
    }

    private static long cpuNanos() {
        long s = 0;
        for (long id : THREADS.getAllThreadIds()) {
            long c = THREADS.getThreadCpuTime(id);
            if (c > 0) {
                s += c;
            }
        }
        return s;
    }

    public static void main(String[] args) throws Throwable {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        boolean profile = args.length > 1 && args[1].equals("profile");
        boolean fdconv = args.length > 2 && args[2].equals("fdconv");
        Map<String, long[]> times = new TreeMap<>();
        boolean[] recording = {false};
        // every kernel call goes through the proxy; default methods run on the CPU kernels (their override or default)
        TensorKernels real = new CpuBackendProvider().createKernels();
        TensorBackend b = !profile ? TensorBackend.of(real) : TensorBackend.of((TensorKernels) Proxy.newProxyInstance(
                TensorKernels.class.getClassLoader(), new Class<?>[] {TensorKernels.class}, (proxy, m, a) -> {
                    long c0 = recording[0] ? cpuNanos() : 0;
                    long t0 = System.nanoTime();
                    Object r;
                    try {
                        r = m.invoke(real, a);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (recording[0]) {
                        long dt = System.nanoTime() - t0;
                        long dc = cpuNanos() - c0;
                        StringBuilder k = new StringBuilder(m.getName());
                        for (Object o : a == null ? new Object[0] : a) {
                            if (o instanceof Enum<?> e) {
                                k.append(' ').append(e);
                            } else if (o instanceof TensorStorage s) {
                                k.append(' ').append(s.shape());
                                break;
                            }
                        }
                        long[] v = times.computeIfAbsent(k.toString(), x -> new long[3]);
                        v[0] += dt;
                        v[1] += dc;
                        v[2]++;
                    }
                    return r;
                }));
        boolean convLayer = args.length > 2 && args[2].equals("conv-layer");
        boolean layer = convLayer || args.length > 2 && args[2].equals("fdconv-layer");
        CnnVariant variant = !fdconv ? CnnVariant.plain()
                : new CnnVariant(CnnVariant.Layer.FDCONV, Set.of("conv2"),
                        FDConvOptions.builder().kernelNum(4).build(), 4, CondConv2d.Routing.SIGMOID);
        Generator g = new Generator(1);
        try (ReferenceCnn model = variant.build(b, 0, 1, 28, 28, 10);
             Adam adam = new Adam(model.parameters(), 1e-3);
             Module fd = convLayer ? Conv2d.builder(b, 64, 64, 3).padding(1).generator(g).build()
                     : FDConv2d.builder(b, 64, 64, 3).padding(1).generator(g)
                     .options(FDConvOptions.builder().kernelNum(64).build()).build();
             Tensor x = layer ? g.normal(b, Shape.of(8, 64, 32, 32), 0, 1)
                     : g.uniform(b, Shape.of(128, 1, 28, 28), 0, 1);
             Tensor up = g.normal(b, Shape.of(8, 64, 32, 32), 0, 1)) {
            fd.eval();
            long[] labels = new long[128];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = g.nextLong(10);
            }
            Tensor y = b.tensor(labels, 128);
            double[] wall = new double[steps];
            double[] cpu = new double[steps];
            for (int s = 0; s < steps; s++) {
                recording[0] = profile && s >= steps / 2;
                long c0 = cpuNanos();
                long t0 = System.nanoTime();
                try (TensorScope scope = Tensors.scope()) {
                    if (layer) {
                        // FdConvBenchmark.forwardBackward, fdconv64 or conv
                        Tensor in = x.detach().requiresGrad(true);
                        fd.forward(in).backward(up);
                        in.grad();
                    } else {
                        Tensor loss = Functional.crossEntropy(model.forward(x), y);
                        adam.zeroGrad();
                        loss.backward();
                        adam.step();
                        loss.item();
                    }
                }
                if (layer) {
                    for (Tensor p : fd.parameters()) {
                        p.zeroGrad();
                    }
                }
                wall[s] = (System.nanoTime() - t0) / 1e6;
                cpu[s] = (cpuNanos() - c0) / 1e6;
            }
            y.close();
            double[] w = Arrays.copyOfRange(wall, steps / 2, steps);
            double[] c = Arrays.copyOfRange(cpu, steps / 2, steps);
            Arrays.sort(w);
            Arrays.sort(c);
            System.out.printf(Locale.ROOT, "training step, last %d of %d steps: wall min %.1f / median %.1f / max %.1f ms;"
                    + " CPU of Java threads median %.1f ms%n", w.length, steps, w[0], w[w.length / 2],
                    w[w.length - 1], c[c.length / 2]);
            System.out.printf(Locale.ROOT, "cpu-median-ms\t%.3f%n", c[c.length / 2]);
            if (profile) {
                int n = steps - steps / 2;
                List<Map.Entry<String, long[]>> es = new ArrayList<>(times.entrySet());
                es.sort((p, q) -> Long.compare(q.getValue()[1], p.getValue()[1]));
                System.out.println("kernel (first tensor argument's shape)          wall ms/step  CPU ms/step  calls");
                for (Map.Entry<String, long[]> e : es) {
                    long[] v = e.getValue();
                    if (v[1] / 1e6 / n >= 0.05) {
                        System.out.printf(Locale.ROOT, "%-48s %10.2f %12.2f %6d%n", e.getKey(), v[0] / 1e6 / n,
                                v[1] / 1e6 / n, v[2] / n);
                    }
                }
            }
        }
        real.close();
        System.exit(0);
    }
}
