package io.tessera.plugin.d2nwg;

import io.tessera.api.data.ImageDataset;
import io.tessera.api.tensor.Generator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * A model zoo on real data (docs/methods/d2nwg.md §7): classification tasks that are ordered class subsets of image
 * datasets ("domains", e.g. Fashion-MNIST and MNIST), each with its own label order; the weight vectors of small
 * classifiers trained on the zoo tasks (spec §2 layout, unpadded); and held-out tasks whose class combinations never
 * occur in the zoo. Images enter as frozen features: {@code pool × pool} average-pooled pixels (7×7 = 49 values for
 * 28×28 images with pool 4).
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class Zoo {
    private final int[] widths;
    private final List<Domain> domains;
    private final List<Task> tasks;
    private final double[][] vectors;
    private final int[] modelTask;
    private final int[] modelSeed;
    private final double[] modelAccuracy;

    Zoo(int[] widths, List<Domain> domains, List<Task> tasks, double[][] vectors, int[] modelTask, int[] modelSeed,
            double[] modelAccuracy) {
        this.widths = widths.clone();
        this.domains = List.copyOf(domains);
        this.tasks = List.copyOf(tasks);
        this.vectors = vectors;
        this.modelTask = modelTask;
        this.modelSeed = modelSeed;
        this.modelAccuracy = modelAccuracy;
    }

    /**
     * One domain's images as frozen features.
     *
     * @param name        the dataset's name
     * @param dim         features per image
     * @param trainX      training features, row-major {@code (n, dim)}
     * @param trainY      training labels (the dataset's own classes)
     * @param testX       test features
     * @param testY       test labels
     * @param classes     the number of classes
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Domain(String name, int dim, float[] trainX, int[] trainY, float[] testX, int[] testY, int classes) {
        /** Domain {@code name}: features of {@code train} and {@code test} by {@code pool × pool} average pooling of the first channel. */
        public static Domain of(String name, ImageDataset train, ImageDataset test, int pool) {
            if (train.height() != test.height() || train.width() != test.width()) {
                throw new IllegalArgumentException("train images are " + train.height() + "x" + train.width()
                        + " but test images are " + test.height() + "x" + test.width());
            }
            if (pool < 1 || pool > Math.min(train.height(), train.width())) {
                throw new IllegalArgumentException("feature pool " + pool + " must be in [1, " + Math.min(
                        train.height(), train.width()) + "] for " + train.height() + "x" + train.width() + " images");
            }
            int dim = (train.height() / pool) * (train.width() / pool);
            int classes = Math.max(train.numClasses(), test.numClasses());
            return new Domain(name, dim, features(train, pool), labels(train), features(test, pool),
                    labels(test), classes);
        }

        private static float[] features(ImageDataset ds, int pool) {
            int h = ds.height();
            int w = ds.width();
            int oh = h / pool;
            int ow = w / pool;
            float[] px = new float[ds.pixelsPerImage()];
            float[] out = new float[ds.size() * oh * ow];
            float norm = 1f / (pool * pool);
            for (int i = 0; i < ds.size(); i++) {
                ds.copyPixels(i, px, 0);
                for (int r = 0; r < oh; r++) {
                    for (int c = 0; c < ow; c++) {
                        float s = 0;
                        for (int dr = 0; dr < pool; dr++) {
                            for (int dc = 0; dc < pool; dc++) {
                                s += px[(r * pool + dr) * w + c * pool + dc];
                            }
                        }
                        out[(i * oh + r) * ow + c] = s * norm;
                    }
                }
            }
            return out;
        }

        private static int[] labels(ImageDataset ds) {
            int[] y = new int[ds.size()];
            for (int i = 0; i < y.length; i++) {
                y[i] = ds.label(i);
            }
            return y;
        }
    }

    /**
     * A classification task: {@code classes[k]} of domain {@code domain} is label {@code k}.
     *
     * @param id      index in {@link #tasks()}
     * @param domain  index in {@link #domains()}
     * @param classes the domain's classes in this task's label order
     * @param heldOut whether the task is held out (its class set never occurs among the zoo tasks)
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record Task(int id, int domain, int[] classes, boolean heldOut) {
        public Task {
            classes = classes.clone();
        }

        /** A short name such as {@code fashion-mnist[3,0,7,1,9]}. */
        public String describe(List<Domain> domains) {
            return domains.get(domain).name() + Arrays.toString(classes).replace(" ", "");
        }
    }

    /**
     * A task's images as features and relabelled targets.
     *
     * @param x    row-major {@code (n, dim)}
     * @param y    labels in the task's order
     * @param dim  features per image
     */
    @API(status = API.Status.EXPERIMENTAL, since = "1.0")
    public record TaskData(float[] x, int[] y, int dim) {
        public int size() {
            return y.length;
        }
    }

    /**
     * Draws the tasks: for each domain every {@code ways}-subset of its classes is listed and shuffled; the first
     * {@code heldOut} subsets become held-out tasks, the next {@code zooTasks} zoo tasks, each with a random label
     * order.
     */
    static List<Task> drawTasks(List<Domain> domains, int ways, int zooTasks, int heldOut, long seed) {
        List<Task> zoo = new ArrayList<>();
        List<Task> held = new ArrayList<>();
        for (int d = 0; d < domains.size(); d++) {
            Domain dom = domains.get(d);
            if (ways < 2 || ways > dom.classes()) {
                throw new IllegalArgumentException("ways = " + ways + " but " + dom.name() + " has " + dom.classes()
                        + " classes; use 2 <= ways <= " + dom.classes());
            }
            List<int[]> subsets = new ArrayList<>();
            combinations(dom.classes(), ways, 0, new int[ways], 0, subsets);
            if (zooTasks + heldOut > subsets.size()) {
                throw new IllegalArgumentException(zooTasks + " zoo tasks + " + heldOut + " held-out tasks exceed the "
                        + subsets.size() + " class combinations of " + ways + " of the " + dom.classes() + " classes of "
                        + dom.name() + "; lower tasks or held_out");
            }
            Generator gen = new Generator(seed * 31 + d);
            long[] order = gen.permutation(subsets.size());
            for (int i = 0; i < zooTasks + heldOut; i++) {
                int[] set = subsets.get((int) order[i]);
                long[] perm = gen.permutation(ways);
                int[] labelled = new int[ways];
                for (int k = 0; k < ways; k++) {
                    labelled[k] = set[(int) perm[k]];
                }
                (i < heldOut ? held : zoo).add(new Task(-1, d, labelled, i < heldOut));
            }
        }
        List<Task> out = new ArrayList<>();
        for (Task t : zoo) {
            out.add(new Task(out.size(), t.domain(), t.classes(), false));
        }
        for (Task t : held) {
            out.add(new Task(out.size(), t.domain(), t.classes(), true));
        }
        return out;
    }

    private static void combinations(int n, int k, int from, int[] cur, int depth, List<int[]> out) {
        if (depth == k) {
            out.add(cur.clone());
            return;
        }
        for (int i = from; i < n; i++) {
            cur[depth] = i;
            combinations(n, k, i + 1, cur, depth + 1, out);
        }
    }

    /** The task's training ({@code train = true}) or test images, at most {@code perClass} per class (0 = all). */
    public TaskData data(Task task, boolean train, int perClass) {
        Domain d = domains.get(task.domain());
        float[] x = train ? d.trainX() : d.testX();
        int[] y = train ? d.trainY() : d.testY();
        int[] pos = new int[d.classes()];
        Arrays.fill(pos, -1);
        for (int k = 0; k < task.classes().length; k++) {
            pos[task.classes()[k]] = k;
        }
        int[] count = new int[task.classes().length];
        int n = 0;
        int[] keep = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            int k = y[i] < pos.length ? pos[y[i]] : -1;
            if (k >= 0 && (perClass == 0 || count[k] < perClass)) {
                count[k]++;
                keep[n++] = i;
            }
        }
        float[] tx = new float[n * d.dim()];
        int[] ty = new int[n];
        for (int j = 0; j < n; j++) {
            System.arraycopy(x, keep[j] * d.dim(), tx, j * d.dim(), d.dim());
            ty[j] = pos[y[keep[j]]];
        }
        return new TaskData(tx, ty, d.dim());
    }

    /**
     * A conditioning set of the task (spec §4: {@code num_samples} images per class): features
     * {@code (C, n, d)} row-major, {@code n} random training images of each class in label order.
     */
    public float[] conditioningSet(Task task, int perClass, Generator gen) {
        Domain d = domains.get(task.domain());
        int c = task.classes().length;
        float[] out = new float[c * perClass * d.dim()];
        for (int k = 0; k < c; k++) {
            int cls = task.classes()[k];
            int[] idx = classIndex(task.domain(), cls);
            if (idx.length == 0) {
                throw new IllegalStateException(d.name() + " has no training image of class " + cls);
            }
            for (int j = 0; j < perClass; j++) {
                int i = idx[(int) gen.nextLong(idx.length)];
                System.arraycopy(d.trainX(), i * d.dim(), out, (k * perClass + j) * d.dim(), d.dim());
            }
        }
        return out;
    }

    private final java.util.Map<Long, int[]> classIndex = new java.util.concurrent.ConcurrentHashMap<>();

    private int[] classIndex(int domain, int cls) {
        return classIndex.computeIfAbsent(((long) domain << 32) | cls, k -> {
            int[] y = domains.get(domain).trainY();
            return java.util.stream.IntStream.range(0, y.length).filter(i -> y[i] == cls).toArray();
        });
    }

    /** The classifier's layer widths (features first, classes last). */
    public int[] widths() {
        return widths.clone();
    }

    /** The unpadded weight-vector length. */
    public int vectorLength() {
        return Mlp.vectorLength(widths);
    }

    public List<Domain> domains() {
        return domains;
    }

    public List<Task> tasks() {
        return tasks;
    }

    /** The zoo tasks (not held out). */
    public List<Task> zooTasks() {
        return tasks.stream().filter(t -> !t.heldOut()).toList();
    }

    /** The held-out tasks. */
    public List<Task> heldOutTasks() {
        return tasks.stream().filter(Task::heldOut).toList();
    }

    /** The number of trained models. */
    public int size() {
        return vectors.length;
    }

    /** Model {@code m}'s weight vector (unpadded; do not modify). */
    public double[] vector(int m) {
        return vectors[m];
    }

    /** The task model {@code m} was trained on. */
    public Task taskOf(int m) {
        return tasks.get(modelTask[m]);
    }

    public int seedOf(int m) {
        return modelSeed[m];
    }

    /** Model {@code m}'s test accuracy on its own task. */
    public double accuracy(int m) {
        return modelAccuracy[m];
    }

    @Override
    public String toString() {
        return "zoo of " + size() + " models " + Arrays.toString(widths) + " on " + zooTasks().size() + " tasks, "
                + heldOutTasks().size() + " held out, domains " + domains.stream().map(Domain::name).toList();
    }

    static <T> T require(T v, String what) {
        return Objects.requireNonNull(v, what);
    }
}
