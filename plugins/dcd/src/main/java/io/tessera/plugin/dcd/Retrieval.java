package io.tessera.plugin.dcd;

import io.tessera.api.metrics.RetrievalMetrics;
import io.tessera.api.nn.Module;
import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.Arrays;
import org.apiguardian.api.API;

/**
 * Retrieval with the teacher and the students: score matrices, Recall@K in both directions (image→text and
 * text→image, a hit when one of the K best items has the query's ordered pair of classes, {@link Composites#key})
 * and the latency of ranking candidates.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class Retrieval {
    /** Pairs per cross-encoder pass when scoring many pairs. */
    static final int TEACHER_CHUNK = 512;

    private Retrieval() {
    }

    /** The K of R@K. */
    public static final int[] KS = {1, 5, 10};

    /**
     * Recall@1/5/10 of a score matrix {@code [images][captions]}: {@code [i2t R@1, R@5, R@10, t2i R@1, R@5, R@10]}.
     */
    public static double[] recalls(double[][] scores, Composites set, int[] images, int[] captions) {
        int[] imageKeys = new int[images.length];
        int[] captionKeys = new int[captions.length];
        for (int i = 0; i < images.length; i++) {
            imageKeys[i] = set.key(images[i]);
        }
        for (int j = 0; j < captions.length; j++) {
            captionKeys[j] = set.key(captions[j]);
        }
        double[][] transposed = new double[captions.length][images.length];
        for (int i = 0; i < images.length; i++) {
            for (int j = 0; j < captions.length; j++) {
                transposed[j][i] = scores[i][j];
            }
        }
        double[] i2t = RetrievalMetrics.recallAtK(scores, imageKeys, captionKeys, KS);
        double[] t2i = RetrievalMetrics.recallAtK(transposed, captionKeys, imageKeys, KS);
        double[] out = Arrays.copyOf(i2t, 6);
        System.arraycopy(t2i, 0, out, 3, 3);
        return out;
    }

    /** The teacher (or any cross-encoder) as a {@link RetrievalModel}: one pass per (image, caption) pair. */
    public static RetrievalModel teacher(CrossEncoder model) {
        return new TeacherModel(model);
    }

    /** A student of {@link DcdTraining#trainStudent} (a cross-encoder or a dual encoder) as a {@link RetrievalModel}. */
    public static RetrievalModel of(Module model) {
        if (model instanceof CrossEncoder c) {
            return teacher(c);
        }
        if (model instanceof DualEncoder d) {
            return student(d);
        }
        throw new IllegalArgumentException("no retrieval model for " + model.getClass().getSimpleName()
                + "; expected a CrossEncoder or a DualEncoder");
    }

    /** A dual-encoder student: cached caption embeddings, one image encoding per query. */
    public static RetrievalModel student(DualEncoder model) {
        return new StudentModel(model);
    }

    /** Teacher scores {@code [n]} of images {@code images[p]} with captions {@code captions[p]}, in chunks. */
    static float[] teacherPairs(TensorBackend b, CrossEncoder teacher, Composites set, int[] images, int[] captions) {
        float[] out = new float[images.length];
        try (var ng = Autograd.noGrad()) {
            for (int from = 0; from < images.length; from += TEACHER_CHUNK) {
                int n = Math.min(TEACHER_CHUNK, images.length - from);
                int[] im = Arrays.copyOfRange(images, from, from + n);
                int[] ca = Arrays.copyOfRange(captions, from, from + n);
                try (TensorScope sc = Tensors.scope()) {
                    // each distinct image's tokens once (a pool or a ranking repeats one image across many pairs)
                    int[] distinct = Arrays.stream(im).distinct().toArray();
                    java.util.Map<Integer, Integer> slot = new java.util.HashMap<>();
                    for (int i = 0; i < distinct.length; i++) {
                        slot.put(distinct[i], i);
                    }
                    long[] rows = new long[n];
                    for (int i = 0; i < n; i++) {
                        rows[i] = slot.get(im[i]);
                    }
                    Tensor x = b.tensor(set.pixels(distinct), distinct.length, 1, set.height(), set.width());
                    Tensor tokens = teacher.imageTokens(x).indexSelect(0, b.tensor(rows, n));
                    Tensor tok = b.tensor(set.tokens(ca), n, set.vocabulary().maxLength());
                    float[] s = teacher.score(tokens, tok).toFloatArray();
                    System.arraycopy(s, 0, out, from, n);
                }
            }
        }
        return out;
    }

    private record TeacherModel(CrossEncoder model) implements RetrievalModel {
        @Override
        public double[][] scores(TensorBackend b, Composites set, int[] images, int[] captions) {
            int[] im = new int[images.length * captions.length];
            int[] ca = new int[im.length];
            for (int i = 0; i < images.length; i++) {
                for (int j = 0; j < captions.length; j++) {
                    im[i * captions.length + j] = images[i];
                    ca[i * captions.length + j] = captions[j];
                }
            }
            float[] flat = teacherPairs(b, model, set, im, ca);
            double[][] out = new double[images.length][captions.length];
            for (int i = 0; i < images.length; i++) {
                for (int j = 0; j < captions.length; j++) {
                    out[i][j] = flat[i * captions.length + j];
                }
            }
            return out;
        }

        @Override
        public double rankMillis(TensorBackend b, Composites set, int image, int[] captions) {
            int[] im = new int[captions.length];
            Arrays.fill(im, image);
            long t0 = System.nanoTime();
            teacherPairs(b, model, set, im, captions);
            return (System.nanoTime() - t0) / 1e6;
        }

        @Override
        public Module module() {
            return model;
        }
    }

    private record StudentModel(DualEncoder model) implements RetrievalModel {
        @Override
        public double[][] scores(TensorBackend b, Composites set, int[] images, int[] captions) {
            try (var ng = Autograd.noGrad(); TensorScope sc = Tensors.scope()) {
                Tensor img = model.encodeImages(b.tensor(set.pixels(images), images.length, 1, set.height(),
                        set.width()));
                Tensor txt = model.encodeTexts(b.tensor(set.tokens(captions), captions.length,
                        set.vocabulary().maxLength()));
                float[] flat = CosineScores.matrix(img, txt, model.logitScale()).toFloatArray();
                double[][] out = new double[images.length][captions.length];
                for (int i = 0; i < images.length; i++) {
                    for (int j = 0; j < captions.length; j++) {
                        out[i][j] = flat[i * captions.length + j];
                    }
                }
                return out;
            }
        }

        @Override
        public double rankMillis(TensorBackend b, Composites set, int image, int[] captions) {
            try (var ng = Autograd.noGrad(); TensorScope sc = Tensors.scope()) {
                // the gallery's caption embeddings are computed offline, once
                Tensor gallery = CosineScores.normalise(model.encodeTexts(b.tensor(set.tokens(captions),
                        captions.length, set.vocabulary().maxLength())), 1);
                long t0 = System.nanoTime();
                try (TensorScope q = Tensors.scope()) {
                    Tensor img = model.encodeImages(b.tensor(set.pixels(new int[] {image}), 1, 1, set.height(),
                            set.width()));
                    Tensor s = CosineScores.normalise(img, 1).matmul(gallery.t()).mul(model.logitScale());
                    s.topk(Math.min(10, captions.length), 1);
                }
                return (System.nanoTime() - t0) / 1e6;
            }
        }

        @Override
        public Module module() {
            return model;
        }
    }
}
