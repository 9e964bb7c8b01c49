package io.tessera.plugin.d2nwg;

import io.tessera.api.optim.Adam;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.testkit.TestBackends;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The D2NWG benchmark of issue 14 (not a test): VAE and denoiser training steps, DDPM and DDIM sampling throughput
 * and zoo training throughput, at the sizes of {@code d2nwg-zoo.yaml}. {@code bench/d2nwg-bench.sh} runs it beside the
 * PyTorch implementation {@code bench/d2nwg_torch.py} and prints one table. Output: {@code name value unit} lines.
 *
 * <pre>java -cp ... io.tessera.plugin.d2nwg.D2nwgBenchmark [STEPS] [ZOO_MODELS] [WORKERS]</pre>
 */
public final class D2nwgBenchmark {
    static final int D_IN = 888;
    static final int H = 128;
    static final int Z = 16;
    static final int B = 64;
    static final int WAYS = 5;
    static final int PER_CLASS = 5;
    static final int FEAT = 49;
    static final int COND = 16;
    static final int TEMB = 32;

    private D2nwgBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int models = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int workers = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        try (TensorBackend be = TestBackends.named("cpu")) {
            vae(be, steps);
            denoiser(be, steps);
            sampling(be);
            zoo(be, models, workers);
        }
    }

    private static void report(String name, double value, String unit) {
        System.out.println(String.format(Locale.ROOT, "%s %.4f %s", name, value, unit));
    }

    private static void vae(TensorBackend be, int steps) {
        Generator gen = new Generator(1);
        try (MlpVae vae = new MlpVae(be, D_IN, H, Z, DType.FLOAT32, gen);
             Adam opt = new Adam(vae.parameters(), 1e-3, 0.5, 0.9, 1e-8, 0, false);
             Tensor data = Tensors.unscoped(() -> gen.normal(be, Shape.of(B, D_IN), 0, 0.1))) {
            long t0 = 0;
            for (int s = -20; s < steps; s++) {
                if (s == 0) {
                    t0 = System.nanoTime();
                }
                try (TensorScope sc = Tensors.scope()) {
                    MlpVae.Loss l = vae.loss(data, gen.normal(be, Shape.of(B, Z), 0, 1), MlpVae.KL_WEIGHT,
                            MlpVae.MSE_WEIGHT);
                    opt.zeroGrad();
                    l.total().backward();
                    opt.step();
                }
            }
            report("vae_train_step", (System.nanoTime() - t0) / 1e6 / steps, "ms");
        }
    }

    private static void denoiser(TensorBackend be, int steps) {
        Generator gen = new Generator(2);
        NoiseSchedule sched = NoiseSchedule.official();
        Diffusion d = new Diffusion(sched);
        try (ConditionEncoder enc = new ConditionEncoder(be, WAYS * PER_CLASS, FEAT, 4, COND, DType.FLOAT32, gen);
             Denoiser den = new Denoiser(be, Z, COND, TEMB, H, DType.FLOAT32, gen)) {
            List<Tensor> params = new ArrayList<>(enc.parameters());
            params.addAll(den.parameters());
            try (Adam opt = new Adam(params, 1e-3);
                 Tensor feats = Tensors.unscoped(() -> gen.normal(be, Shape.of(B, WAYS, PER_CLASS, FEAT), 0, 1));
                 Tensor x0 = Tensors.unscoped(() -> gen.normal(be, Shape.of(B, Z), 0, 1))) {
                long t0 = 0;
                for (int s = -20; s < steps; s++) {
                    if (s == 0) {
                        t0 = System.nanoTime();
                    }
                    try (TensorScope sc = Tensors.scope()) {
                        long[] t = new long[B];
                        for (int i = 0; i < B; i++) {
                            t[i] = gen.nextLong(sched.steps());
                        }
                        Tensor noise = gen.normal(be, Shape.of(B, Z), 0, 1);
                        Tensor xt = d.qSample(x0, t, noise);
                        Tensor loss = Diffusion.lossSimple(noise, den.predict(xt, t, enc.forward(feats)));
                        opt.zeroGrad();
                        loss.backward();
                        opt.step();
                    }
                }
                report("denoiser_train_step", (System.nanoTime() - t0) / 1e6 / steps, "ms");
            }
        }
    }

    private static void sampling(TensorBackend be) {
        Generator gen = new Generator(3);
        int n = 10;
        Diffusion d = new Diffusion(NoiseSchedule.official());
        try (MlpVae vae = new MlpVae(be, D_IN, H, Z, DType.FLOAT32, gen);
             ConditionEncoder enc = new ConditionEncoder(be, WAYS * PER_CLASS, FEAT, 4, COND, DType.FLOAT32, gen);
             Denoiser den = new Denoiser(be, Z, COND, TEMB, H, DType.FLOAT32, gen);
             var ng = Autograd.noGrad()) {
            for (String mode : List.of("ddpm", "ddim")) {
                for (int rep = 0; rep < 2; rep++) { // the first repetition warms up
                    long t0 = System.nanoTime();
                    try (TensorScope sc = Tensors.scope()) {
                        Tensor cond = enc.forward(gen.normal(be, Shape.of(n, WAYS, PER_CLASS, FEAT), 0, 1));
                        Tensor x = gen.normal(be, Shape.of(n, Z), 0, 1);
                        if (mode.equals("ddpm")) {
                            for (int t = d.schedule().steps() - 1; t >= 0; t--) {
                                try (TensorScope st = Tensors.scope()) {
                                    long[] ts = new long[n];
                                    java.util.Arrays.fill(ts, t);
                                    x = st.keep(d.ddpmStep(x, ts, den.predict(x, ts, cond),
                                            gen.normal(be, Shape.of(n, Z), 0, 1)).xPrev());
                                }
                            }
                        } else {
                            NoiseSchedule.Ddim ddim = d.schedule().ddim(50, 0);
                            for (int i = ddim.size() - 1; i >= 0; i--) {
                                try (TensorScope st = Tensors.scope()) {
                                    long[] ts = new long[n];
                                    java.util.Arrays.fill(ts, ddim.timesteps()[i]);
                                    x = st.keep(Diffusion.ddimStep(ddim, i, x, den.predict(x, ts, cond),
                                            be.zeros(Shape.of(n, Z), DType.FLOAT32)).xPrev());
                                }
                            }
                        }
                        vae.decode(x).toDoubleArray();
                    }
                    if (rep == 1) {
                        report(mode + "_vectors_per_s", n / ((System.nanoTime() - t0) / 1e9), "vectors/s");
                    }
                }
            }
        }
    }

    private static void zoo(TensorBackend be, int models, int workers) throws Exception {
        int n = 3000;
        Generator data = new Generator(4);
        float[] x = new float[n * FEAT];
        int[] y = new int[n];
        float[][] means = new float[WAYS][FEAT];
        for (float[] m : means) {
            for (int j = 0; j < FEAT; j++) {
                m[j] = (float) data.nextGaussian();
            }
        }
        for (int i = 0; i < n; i++) {
            y[i] = i % WAYS;
            for (int j = 0; j < FEAT; j++) {
                x[i * FEAT + j] = means[y[i]][j] + (float) data.nextGaussian();
            }
        }
        Zoo.TaskData task = new Zoo.TaskData(x, y, FEAT);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            for (int rep = 0; rep < 2; rep++) {
                long t0 = System.nanoTime();
                List<Future<?>> fs = new ArrayList<>();
                for (int m = 0; m < (rep == 0 ? workers : models); m++) {
                    int seed = m;
                    fs.add(pool.submit(() -> {
                        try (Classifiers.Batchable b = Classifiers.Batchable.of(be, task);
                             Mlp mlp = new Mlp(be, new int[] {FEAT, 16, WAYS}, DType.FLOAT32, new Generator(seed))) {
                            Classifiers.train(mlp, b, 200, 64, 0.01, new Generator(seed + 1), null);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
                if (rep == 1) {
                    report("zoo_models_per_min_" + workers + "_workers", models / ((System.nanoTime() - t0) / 60e9),
                            "models/min");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
