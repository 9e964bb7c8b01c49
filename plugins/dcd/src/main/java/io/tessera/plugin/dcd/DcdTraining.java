package io.tessera.plugin.dcd;

import io.tessera.api.data.DataLoader;
import io.tessera.api.nn.Module;
import io.tessera.api.optim.AdamW;
import io.tessera.api.optim.LrScheduler;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import org.apiguardian.api.API;

/**
 * Training on {@link Composites}: the teacher cross-encoder learns matching against hard and random negative captions,
 * and students learn by one of the three {@link Variant}s from pools of candidate captions (docs/methods/dcd.md,
 * "Experiment"). AdamW with a cosine schedule over epochs, float32.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class DcdTraining {
    private DcdTraining() {
    }

    /** Progress callbacks. */
    public interface Listener {
        /** After each optimizer step. */
        default void step(long step, double loss) {
        }

        /** After the teacher's stem is pretrained: its per-epoch metrics ({@code train_loss}, {@code train_accuracy}). */
        default void stem(java.util.List<Map<String, Double>> history) {
        }

        /** After each epoch. */
        default void epoch(int epoch, int epochs, double meanLoss, double lr) {
        }

        /** Whether to stop. */
        default boolean cancelled() {
            return false;
        }

        /** A listener that does nothing. */
        Listener NONE = new Listener() {
        };
    }

    /**
     * Teacher shape and loop.
     *
     * @param patch     patch side
     * @param dim       token width
     * @param depth     cross layers
     * @param heads     attention heads
     * @param negatives negative captions per image: its swapped caption, a caption with one class changed, the rest
     *                  random
     * @param epochs    passes over the composites
     * @param batchSize composites per step
     * @param lr        AdamW learning rate
     * @param stemHidden feature width of the pretrained {@link ItemStem} whose features are the image tokens (one per
     *                   item); 0 for strided-convolution patch tokens of side {@code patch} instead
     * @param stemEpochs epochs of the stem's pretraining on the training items
     */
    public record TeacherOptions(int patch, int dim, int depth, int heads, int negatives, int epochs, int batchSize,
                                 double lr, int stemHidden, int stemEpochs) {
        /** Options with patch tokens (no stem). */
        public TeacherOptions(int patch, int dim, int depth, int heads, int negatives, int epochs, int batchSize,
                              double lr) {
            this(patch, dim, depth, heads, negatives, epochs, batchSize, lr, 0, 0);
        }

        public TeacherOptions {
            if (stemHidden < 0 || stemEpochs < 0 || (stemHidden > 0 && stemEpochs < 1)) {
                throw new IllegalArgumentException("teacher options need stem_hidden >= 0 and, with a stem,"
                        + " stem_epochs >= 1; got stem_hidden " + stemHidden + ", stem_epochs " + stemEpochs);
            }
            if (patch < 1 || dim < 1 || depth < 1 || heads < 1 || dim % heads != 0 || negatives < 1 || epochs < 1
                    || batchSize < 1 || !(lr > 0)) {
                throw new IllegalArgumentException("teacher options need positive patch, depth, negatives, epochs,"
                        + " batch_size and lr, and dim divisible by heads; got patch " + patch + ", dim " + dim
                        + ", depth " + depth + ", heads " + heads + ", negatives " + negatives + ", epochs " + epochs
                        + ", batch_size " + batchSize + ", lr " + lr);
            }
        }
    }

    /** Trains a teacher on {@code train}; returns it in eval mode. */
    public static CrossEncoder trainTeacher(TensorBackend b, Composites train, TeacherOptions o, long seed,
                                            Listener listener) {
        Composites.Vocabulary vocab = train.vocabulary();
        int len = vocab.maxLength();
        int classes = train.classNames().size();
        CrossEncoder teacher;
        if (o.stemHidden() > 0) {
            ItemStem stem = new ItemStem(b, train.height(), train.width() / Composites.ITEMS, 8, o.stemHidden(),
                    classes, new Generator(seed + 1));
            try {
                var r = ItemStem.pretrain(stem, b, train, o.stemEpochs(), 64, 3e-3, seed, listener::cancelled);
                listener.stem(r.history());
            } catch (RuntimeException e) {
                stem.close();
                throw e;
            }
            stem.eval();
            teacher = new CrossEncoder(b, train.height(), train.width(), stem, vocab.size(), len, o.dim(), o.depth(),
                    o.heads(), new Generator(seed));
        } else {
            teacher = new CrossEncoder(b, train.height(), train.width(), o.patch(), vocab.size(), len, o.dim(),
                    o.depth(), o.heads(), new Generator(seed));
        }
        DataLoader<int[]> loader = DataLoader.of(train.size(), idx -> idx).batchSize(o.batchSize()).shuffle(true)
                .seed(seed).build();
        int c = 1 + o.negatives();
        try (AdamW opt = new AdamW(teacher.trainableParameters(), o.lr(), 0.9, 0.999, 1e-8, 0.01, false)) {
            LrScheduler schedule = LrScheduler.cosineAnnealing(opt, o.epochs(), 0);
            long step = 0;
            teacher.train();
            for (int epoch = 0; epoch < o.epochs(); epoch++) {
                SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + epoch);
                double sum = 0;
                int batches = 0;
                double lr = opt.learningRate();
                for (int[] idx : loader.epoch(epoch)) {
                    checkCancelled(listener);
                    int n = idx.length;
                    long[] tokens = new long[n * c * len];
                    long[] repeat = new long[n * c];
                    for (int i = 0; i < n; i++) {
                        int left = train.itemClass(idx[i], 0);
                        int right = train.itemClass(idx[i], 1);
                        copy(train.tokens(new int[] {idx[i]}), tokens, (i * c) * len);
                        for (int k = 1; k < c; k++) {
                            int[] pair = negativePair(left, right, k, classes, rng);
                            int[] cap = vocab.caption(pair[0], pair[1], rng);
                            for (int j = 0; j < len; j++) {
                                tokens[(i * c + k) * len + j] = cap[j];
                            }
                        }
                        for (int k = 0; k < c; k++) {
                            repeat[i * c + k] = i;
                        }
                    }
                    try (TensorScope sc = Tensors.scope()) {
                        Tensor x = b.tensor(train.pixels(idx), n, 1, train.height(), train.width());
                        Tensor img = teacher.imageTokens(x).indexSelect(0, b.tensor(repeat, n * c));
                        Tensor scores = teacher.score(img, b.tensor(tokens, (long) n * c, len)).reshape(n, c);
                        Tensor loss = Functional.crossEntropy(scores, b.tensor(new long[n], n));
                        opt.zeroGrad();
                        loss.backward();
                        opt.step();
                        double v = loss.item();
                        if (!Double.isFinite(v)) {
                            throw new IllegalStateException("teacher loss became " + v + " at epoch " + (epoch + 1)
                                    + "; lower lr");
                        }
                        sum += v;
                        batches++;
                        listener.step(++step, v);
                    }
                }
                schedule.step();
                listener.epoch(epoch + 1, o.epochs(), sum / Math.max(1, batches), lr);
            }
        } catch (RuntimeException e) {
            teacher.close();
            throw e;
        }
        teacher.eval();
        return teacher;
    }

    /**
     * The ordered class pair of the {@code k}-th negative caption of (left, right): k = 1 the swapped order (another
     * pair when both classes are equal), k = 2 one class changed, later ones random; never (left, right) itself.
     */
    static int[] negativePair(int left, int right, int k, int classes, SplittableRandom rng) {
        if (k == 1 && left != right) {
            return new int[] {right, left};
        }
        if (k <= 2) {
            int other = (left + 1 + rng.nextInt(classes - 1)) % classes;
            return rng.nextBoolean() ? new int[] {other, right} : new int[] {left,
                (right + 1 + rng.nextInt(classes - 1)) % classes};
        }
        while (true) {
            int a = rng.nextInt(classes);
            int b = rng.nextInt(classes);
            if (a != left || b != right) {
                return new int[] {a, b};
            }
        }
    }

    private static void copy(long[] src, long[] dst, int at) {
        System.arraycopy(src, 0, dst, at, src.length);
    }

    /**
     * Student shape, pools and loop.
     *
     * @param pool           negative captions per image the teacher scores (P; the pool has N = 1 + P)
     * @param k              negatives per image that reach the student (K)
     * @param hidden         image tower hidden width
     * @param dim            embedding width
     * @param logitScale     score scale of {@code cos}
     * @param epochs         passes over the composites
     * @param batchSize      composites per step
     * @param lr             AdamW learning rate
     * @param alpha          KD weight
     * @param temperature    KD temperature
     * @param officialOrder  feed the loss the teacher's values in the official code's order instead of aligned
     * @param teacherStem    the image tower reads a frozen copy of the teacher's {@link ItemStem} features instead
     *                       of the raw pixels (the teacher must have a stem)
     * @param crossLayers    empty for a {@link DualEncoder} student; otherwise the student is the teacher's
     *                       {@link CrossEncoder#smallerCopy} with these teacher layers (spec §2), and hidden, dim,
     *                       logit scale and teacherStem do not apply
     */
    public record StudentOptions(int pool, int k, int hidden, int dim, double logitScale, int epochs,
                                 int batchSize, double lr, double alpha, double temperature, boolean officialOrder,
                                 boolean teacherStem, java.util.List<Integer> crossLayers) {
        /** Options of a dual encoder with a pixel image tower. */
        public StudentOptions(int pool, int k, int hidden, int dim, double logitScale, int epochs, int batchSize,
                              double lr, double alpha, double temperature, boolean officialOrder) {
            this(pool, k, hidden, dim, logitScale, epochs, batchSize, lr, alpha, temperature, officialOrder, false,
                    java.util.List.of());
        }

        public StudentOptions {
            crossLayers = java.util.List.copyOf(crossLayers);
            if (pool < 1 || k < 1 || k > pool) {
                throw new IllegalArgumentException("student training needs 1 <= k <= pool, got k " + k + ", pool "
                        + pool);
            }
            if (hidden < 1 || dim < 1 || epochs < 1 || batchSize < 1 || !(lr > 0) || !(logitScale > 0)) {
                throw new IllegalArgumentException("student options need positive hidden, dim, epochs, batch_size,"
                        + " lr and logit_scale; got hidden " + hidden + ", dim " + dim
                        + ", epochs " + epochs + ", batch_size " + batchSize + ", lr " + lr
                        + ", logit_scale " + logitScale);
            }
            new DcdLoss.Options(DcdLoss.Mode.OFFICIAL, alpha, temperature);
        }
    }

    /**
     * The candidate pools of one training set: for every epoch and composite, {@code pool} negative composites whose
     * captions differ in meaning (another ordered class pair), drawn from {@code poolSeed} alone so that every
     * variant and seed sees the same pools, and the teacher's scores of each pool, computed once per epoch.
     */
    public static final class Pools {
        private final Composites train;
        private final int pool;
        private final long poolSeed;
        private final CrossEncoder teacher;
        private final TensorBackend backend;
        private final Map<Integer, int[]> negatives = new HashMap<>();
        private final Map<Integer, float[]> teacherScores = new HashMap<>();

        /** Pools over {@code train}; {@code teacher} may be null when no variant needs its scores. */
        public Pools(TensorBackend b, Composites train, int pool, long poolSeed, CrossEncoder teacher) {
            this.backend = b;
            this.train = train;
            this.pool = pool;
            this.poolSeed = poolSeed;
            this.teacher = teacher;
        }

        /** {@code size × pool} negative composite indices of {@code epoch}. */
        public synchronized int[] negatives(int epoch) {
            return negatives.computeIfAbsent(epoch, e -> {
                SplittableRandom rng = new SplittableRandom(poolSeed * 7_919L + e);
                int n = train.size();
                int[] out = new int[n * pool];
                for (int i = 0; i < n; i++) {
                    int key = train.key(i);
                    for (int p = 0; p < pool; p++) {
                        int j = rng.nextInt(n);
                        for (int tries = 0; (j == i || train.key(j) == key) && tries < 64; tries++) {
                            j = rng.nextInt(n);
                        }
                        out[i * pool + p] = j;
                    }
                }
                return out;
            });
        }

        /** The caption index of candidate {@code c} (0 the positive) of composite {@code i} in {@code epoch}. */
        int candidate(int epoch, int i, int c) {
            return c == 0 ? i : negatives(epoch)[i * pool + c - 1];
        }

        /** Teacher scores {@code size × (1 + pool)} of {@code epoch}'s pools. */
        public synchronized float[] teacherScores(int epoch, Listener listener) {
            if (teacher == null) {
                throw new IllegalStateException("these pools have no teacher; give the step a teacher");
            }
            float[] cached = teacherScores.get(epoch);
            if (cached != null) {
                return cached;
            }
            int n = train.size();
            int w = 1 + pool;
            int[] im = new int[n * w];
            int[] ca = new int[n * w];
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < w; c++) {
                    im[i * w + c] = i;
                    ca[i * w + c] = candidate(epoch, i, c);
                }
            }
            checkCancelled(listener);
            float[] s = Retrieval.teacherPairs(backend, teacher, train, im, ca);
            teacherScores.put(epoch, s);
            return s;
        }

        int pool() {
            return pool;
        }
    }

    /**
     * Trains one student of {@code variant} with {@code seed} (initial weights, batch order, random negatives):
     * a {@link DualEncoder}, or a {@link CrossEncoder} copied from {@code teacher} when {@code o.crossLayers()} is
     * not empty. {@code teacher} (may be null for a dual encoder without {@code o.teacherStem()}) gives the student
     * its stem or its layers.
     */
    public static Module trainStudent(TensorBackend b, Composites train, Pools pools, CrossEncoder teacher,
                                           Variant variant, StudentOptions o, long seed, Listener listener) {
        if (pools.pool() != o.pool()) {
            throw new IllegalArgumentException("pools hold " + pools.pool() + " negatives but the options ask for "
                    + o.pool());
        }
        Composites.Vocabulary vocab = train.vocabulary();
        int len = vocab.maxLength();
        int n1 = 1 + o.pool();
        int w = 1 + o.k();
        DualEncoder dual = null;
        CrossEncoder cross = null;
        if (!o.crossLayers().isEmpty()) {
            if (teacher == null) {
                throw new IllegalArgumentException("a cross-encoder student is copied from the teacher; give it one");
            }
            cross = teacher.smallerCopy(b, o.crossLayers().stream().mapToInt(Integer::intValue).toArray());
        } else if (o.teacherStem()) {
            if (teacher == null || teacher.stem() == null) {
                throw new IllegalArgumentException("a student with the teacher's stem needs a teacher trained with"
                        + " stem_hidden > 0");
            }
            ItemStem stem = teacher.stem();
            ItemStem copy = new ItemStem(b, stem.itemHeight(), stem.itemWidth(), stem.channels(), stem.hidden(),
                    stem.classes(), new Generator(seed));
            copy.loadStateDict(stem.stateDict(), true);
            copy.eval();
            dual = new DualEncoder(b, copy, vocab.size(), len, o.hidden(), o.dim(), o.logitScale(),
                    new Generator(seed));
        } else {
            dual = new DualEncoder(b, train.height() * train.width(), vocab.size(), len, o.hidden(), o.dim(),
                    o.logitScale(), new Generator(seed));
        }
        Module student = cross != null ? cross : dual;
        List<Tensor> trainable = cross != null ? cross.trainableParameters() : dual.trainableParameters();
        DataLoader<int[]> loader = DataLoader.of(train.size(), idx -> idx).batchSize(o.batchSize()).shuffle(true)
                .seed(seed).build();
        DcdLoss.Options lossOptions = new DcdLoss.Options(variant == Variant.PER_SAMPLE ? DcdLoss.Mode.PER_SAMPLE
                : DcdLoss.Mode.OFFICIAL, o.alpha(), o.temperature());
        try (AdamW opt = new AdamW(trainable, o.lr(), 0.9, 0.999, 1e-8, 0.01, false)) {
            LrScheduler schedule = LrScheduler.cosineAnnealing(opt, o.epochs(), 0);
            long step = 0;
            student.train();
            for (int epoch = 0; epoch < o.epochs(); epoch++) {
                SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + epoch);
                float[] pooled = variant == Variant.HARD_LABELS ? null : pools.teacherScores(epoch, listener);
                double sum = 0;
                int batches = 0;
                double lr = opt.learningRate();
                for (int[] idx : loader.epoch(epoch)) {
                    checkCancelled(listener);
                    int n = idx.length;
                    try (TensorScope sc = Tensors.scope()) {
                        HardNegatives.Selection sel;
                        Tensor full = null;
                        if (pooled == null) {
                            sel = HardNegatives.random(n, n1, o.k(), rng);
                        } else {
                            float[] rows = new float[n * n1];
                            for (int i = 0; i < n; i++) {
                                System.arraycopy(pooled, idx[i] * n1, rows, i * n1, n1);
                            }
                            full = b.tensor(rows, n, n1);
                            sel = HardNegatives.select(full, o.k());
                        }
                        int[] caps = new int[n * w];
                        for (int i = 0; i < n; i++) {
                            for (int j = 0; j < w; j++) {
                                caps[i * w + j] = pools.candidate(epoch, idx[i], (int) sel.indices()[i * w + j]);
                            }
                        }
                        Tensor x = b.tensor(train.pixels(idx), n, 1, train.height(), train.width());
                        Tensor tok = b.tensor(train.tokens(caps), (long) n * w, len);
                        Tensor s;
                        if (cross != null) {
                            long[] repeat = new long[n * w];
                            for (int i = 0; i < repeat.length; i++) {
                                repeat[i] = i / w;
                            }
                            Tensor img = cross.imageTokens(x).indexSelect(0, b.tensor(repeat, (long) n * w));
                            s = cross.score(img, tok).reshape(n, w);
                        } else {
                            Tensor img = dual.encodeImages(x);
                            Tensor txt = dual.encodeTexts(tok).reshape(n, w, o.dim());
                            s = CosineScores.pairs(img, txt, o.logitScale());
                        }
                        Tensor loss;
                        if (full == null) {
                            loss = DcdLoss.hardLabelLoss(s);
                        } else {
                            Tensor t = o.officialOrder() ? HardNegatives.officialOrderTargets(full, o.k())
                                    : sel.gather(full);
                            loss = DcdLoss.compute(t, s, lossOptions).total();
                        }
                        opt.zeroGrad();
                        loss.backward();
                        opt.step();
                        double v = loss.item();
                        if (!Double.isFinite(v)) {
                            throw new IllegalStateException("student loss became " + v + " at epoch " + (epoch + 1)
                                    + "; lower lr");
                        }
                        sum += v;
                        batches++;
                        listener.step(++step, v);
                    }
                }
                schedule.step();
                listener.epoch(epoch + 1, o.epochs(), sum / Math.max(1, batches), lr);
            }
        } catch (RuntimeException e) {
            student.close();
            throw e;
        }
        student.eval();
        return student;
    }

    private static void checkCancelled(Listener listener) {
        if (listener.cancelled()) {
            throw new CancellationException("cancelled");
        }
    }
}
