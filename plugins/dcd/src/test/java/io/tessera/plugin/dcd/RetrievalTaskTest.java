package io.tessera.plugin.dcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.data.ArrayImageDataset;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.testkit.TestBackends;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The retrieval task's parts on small synthetic items: composites and captions, the teacher learning to match
 * (including the swapped order), the three student variants, pools and their teacher scores, and R@K.
 */
class RetrievalTaskTest {
    private static TensorBackend be;

    @BeforeAll
    static void backend() {
        be = TestBackends.named("cpu");
    }

    @AfterAll
    static void close() {
        be.close();
    }

    /** 24 synthetic 8x8 items of 3 Fashion-MNIST classes, each class a different shape. */
    private static ArrayImageDataset items() {
        int n = 24;
        byte[] px = new byte[n * 64];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            labels[i] = c;
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    boolean on = switch (c) {
                        case 0 -> y >= 2 && y < 6 && x >= 2 && x < 6;   // square
                        case 1 -> x == 3 || x == 4;                      // bar
                        default -> y == x || y == 7 - x;                  // cross
                    };
                    px[i * 64 + y * 8 + x] = (byte) (on ? 200 + (i % 5) * 10 : 0);
                }
            }
        }
        return new ArrayImageDataset("shapes", px, labels, 1, 8, 8, List.of("Sandal", "Bag", "Shirt"));
    }

    @Test
    void compositesAreSeededWithCaptionsThatNameTheItemsInOrder() {
        ArrayImageDataset src = items();
        Composites.Vocabulary v = new Composites.Vocabulary(src.classNames());
        Composites a = Composites.generate("a", src, v, 30, 3);
        Composites b = Composites.generate("b", src, v, 30, 3);
        assertThat(a.pixels(a.all())).containsExactly(b.pixels(b.all()));
        assertThat(a.tokens(a.all())).containsExactly(b.tokens(b.all()));
        assertThat(a.width()).isEqualTo(16);
        assertThat(a.height()).isEqualTo(8);
        for (int i = 0; i < a.size(); i++) {
            String cap = a.caption(i);
            String left = a.classNames().get(a.itemClass(i, 0)).toLowerCase(java.util.Locale.ROOT);
            String right = a.classNames().get(a.itemClass(i, 1)).toLowerCase(java.util.Locale.ROOT);
            assertThat(cap).containsAnyOf("left", "right");
            // the word for the left item comes first unless the template names the right item first
            boolean rightFirst = cap.contains("right of") || cap.contains("to the right");
            assertThat(a.key(i)).isEqualTo(a.itemClass(i, 0) * 3 + a.itemClass(i, 1));
            if (!rightFirst && !left.equals(right)) {
                assertThat(firstClassWord(cap, v, src.classNames())).as(cap).isEqualTo(a.itemClass(i, 0));
            }
            if (rightFirst && !left.equals(right)) {
                assertThat(firstClassWord(cap, v, src.classNames())).as(cap).isEqualTo(a.itemClass(i, 1));
            }
        }
        // the left half of composite 0 is its left item's pixels
        float[] px = a.pixels(new int[] {0});
        assertThat(px[3 * 16 + 3]).isGreaterThan(0f);
        assertThatThrownBy(() -> Composites.generate("x", src, v, 0, 1)).hasMessageContaining("count 0");
    }

    private static int firstClassWord(String cap, Composites.Vocabulary v, List<String> classes) {
        for (String w : cap.split(" ")) {
            for (int c = 0; c < classes.size(); c++) {
                if (Composites.SYNONYMS.get(classes.get(c)).contains(w)) {
                    return c;
                }
            }
        }
        return -1;
    }

    @Test
    void swappedNegativeUsesTheSameWordsInTheOtherOrder() {
        SplittableRandom rng = new SplittableRandom(1);
        assertThat(DcdTraining.negativePair(0, 2, 1, 3, rng)).containsExactly(2, 0);
        for (int i = 0; i < 50; i++) {
            int[] p = DcdTraining.negativePair(1, 1, 1 + i % 4, 3, rng);
            assertThat(p[0] == 1 && p[1] == 1).isFalse();
        }
    }

    @Test
    void recallIsOneForAPerfectScoreMatrixAndCountsSemanticMatches() {
        ArrayImageDataset src = items();
        Composites set = Composites.generate("t", src, new Composites.Vocabulary(src.classNames()), 12, 4);
        int[] all = set.all();
        double[][] s = new double[12][12];
        for (int i = 0; i < 12; i++) {
            s[i][i] = 1;
        }
        assertThat(Retrieval.recalls(s, set, all, all)).containsOnly(1.0);
        double[][] wrong = new double[12][12];
        for (int i = 0; i < 12; i++) {
            for (int j = 0; j < 12; j++) {
                wrong[i][j] = set.key(i) == set.key(j) ? -1 : 1;
            }
        }
        double[] r = Retrieval.recalls(wrong, set, all, all);
        assertThat(r[0]).isLessThan(1.0);
    }

    @Test
    void teacherLearnsToMatchAndStudentsTrainInEveryVariant() {
        ArrayImageDataset src = items();
        Composites.Vocabulary v = new Composites.Vocabulary(src.classNames());
        Composites train = Composites.generate("train", src, v, 64, 1);
        Composites test = Composites.generate("test", src, v, 27, 2);
        double[] teacherLoss = new double[6];
        CrossEncoder teacher = DcdTraining.trainTeacher(be, train,
                new DcdTraining.TeacherOptions(4, 16, 1, 2, 3, 6, 16, 5e-3), 7, new DcdTraining.Listener() {
                    @Override
                    public void epoch(int epoch, int epochs, double meanLoss, double lr) {
                        teacherLoss[epoch - 1] = meanLoss;
                    }
                });
        // matching against 1 + 3 candidates starts near ln 4 and must fall
        assertThat(teacherLoss[5]).as(Arrays.toString(teacherLoss)).isLessThan(teacherLoss[0] - 0.1);
        int[] all = test.all();
        RetrievalModel tm = Retrieval.teacher(teacher);
        double[] tr = Retrieval.recalls(tm.scores(be, test, all, all), test, all, all);
        for (double x : tr) {
            assertThat(x).isBetween(0.0, 1.0);
        }

        DcdTraining.StudentOptions o = new DcdTraining.StudentOptions(7, 3, 16, 8, 10, 2, 32, 5e-3, 0.2, 1,
                false);
        DcdTraining.Pools pools = new DcdTraining.Pools(be, train, 7, 11, teacher);
        float[] ts = pools.teacherScores(0, DcdTraining.Listener.NONE);
        assertThat(ts).hasSize(train.size() * 8);
        assertThat(pools.teacherScores(0, DcdTraining.Listener.NONE)).isSameAs(ts);
        for (int i = 0; i < train.size(); i++) {
            for (int c = 1; c < 8; c++) {
                assertThat(train.key(pools.candidate(0, i, c))).isNotEqualTo(train.key(i));
            }
        }
        for (Variant variant : Variant.values()) {
            double[] losses = new double[2];
            io.tessera.api.nn.Module s = DcdTraining.trainStudent(be, train, pools, null, variant, o, 3, new DcdTraining.Listener() {
                @Override
                public void epoch(int epoch, int epochs, double meanLoss, double lr) {
                    losses[epoch - 1] = meanLoss;
                }
            });
            for (double l : losses) {
                assertThat(Double.isFinite(l)).as(variant + " loss " + l).isTrue();
            }
            RetrievalModel sm = Retrieval.of(s);
            double[] sr = Retrieval.recalls(sm.scores(be, test, all, all), test, all, all);
            for (double x : sr) {
                assertThat(x).isBetween(0.0, 1.0);
            }
            assertThat(sm.rankMillis(be, test, 0, all)).isPositive();
            s.close();
        }
        DcdTraining.Pools noTeacher = new DcdTraining.Pools(be, train, 7, 11, null);
        assertThatThrownBy(() -> noTeacher.teacherScores(0, DcdTraining.Listener.NONE))
                .hasMessageContaining("no teacher");
        teacher.close();
    }

    @Test
    void stemTeacherGivesItsStemToStudentsAndItsLayersToASmallerCrossEncoder() {
        ArrayImageDataset src = items();
        Composites.Vocabulary v = new Composites.Vocabulary(src.classNames());
        Composites train = Composites.generate("train", src, v, 48, 1);
        Composites test = Composites.generate("test", src, v, 12, 2);
        List<java.util.Map<String, Double>> stemHistory = new java.util.ArrayList<>();
        CrossEncoder teacher = DcdTraining.trainTeacher(be, train,
                new DcdTraining.TeacherOptions(8, 16, 2, 2, 3, 1, 16, 5e-3, 8, 2), 7, new DcdTraining.Listener() {
                    @Override
                    public void stem(List<java.util.Map<String, Double>> history) {
                        stemHistory.addAll(history);
                    }
                });
        // the stem was pretrained (two epochs of item classification), then frozen: teacher training left it alone
        assertThat(stemHistory).hasSize(2);
        assertThat(stemHistory.get(1).get("train_loss")).isLessThan(stemHistory.get(0).get("train_loss"));
        assertThat(teacher.stem()).isNotNull();
        assertThat(teacher.trainableParameters()).hasSize(teacher.parameters().size()
                - teacher.stem().parameters().size());
        assertThat(teacher.imageTokens(be.tensor(test.pixels(new int[] {0, 1}), 2, 1, 8, 16)).shape().dims())
                .containsExactly(2, Composites.ITEMS, 16);

        // spec §2: a one-layer student copied from teacher layer 1, every other part copied too, nothing shared
        CrossEncoder small = teacher.smallerCopy(be, new int[] {1});
        assertThat(small.depth()).isEqualTo(1);
        java.util.Map<String, io.tessera.api.tensor.Tensor> ts = teacher.stateDict();
        small.stateDict().forEach((k, t) -> {
            String from = k.startsWith("cross_layers.0.") ? "cross_layers.1." + k.substring(15) : k;
            assertThat(t.toFloatArray()).as(k).containsExactly(ts.get(from).toFloatArray());
            assertThat(t).as(k).isNotSameAs(ts.get(from));
        });
        assertThatThrownBy(() -> teacher.smallerCopy(be, new int[] {2})).hasMessageContaining("0..1");
        assertThatThrownBy(() -> teacher.smallerCopy(be, new int[] {1, 0})).hasMessageContaining("increasing");
        small.close();

        DcdTraining.Pools pools = new DcdTraining.Pools(be, train, 7, 11, teacher);
        int[] all = test.all();
        for (List<Integer> layers : List.of(List.<Integer>of(), List.of(0))) {
            DcdTraining.StudentOptions o = new DcdTraining.StudentOptions(7, 3, 16, 8, 10, 2, 16, 5e-3, 0.2, 1,
                    false, true, layers);
            double[] losses = new double[2];
            io.tessera.api.nn.Module s = DcdTraining.trainStudent(be, train, pools, teacher, Variant.PER_SAMPLE, o, 3,
                    new DcdTraining.Listener() {
                        @Override
                        public void epoch(int epoch, int epochs, double meanLoss, double lr) {
                            losses[epoch - 1] = meanLoss;
                        }
                    });
            assertThat(s).isInstanceOf(layers.isEmpty() ? DualEncoder.class : CrossEncoder.class);
            assertThat(Arrays.stream(losses).allMatch(Double::isFinite)).as(Arrays.toString(losses)).isTrue();
            // the frozen stem of the student is still the teacher's
            ItemStem stem = s instanceof CrossEncoder c ? c.stem() : null;
            if (stem != null) {
                assertThat(stem.stateDict().get("conv1.weight").toFloatArray())
                        .containsExactly(teacher.stem().stateDict().get("conv1.weight").toFloatArray());
            }
            double[] r = Retrieval.recalls(Retrieval.of(s).scores(be, test, all, all), test, all, all);
            for (double x : r) {
                assertThat(x).isBetween(0.0, 1.0);
            }
            s.close();
        }
        teacher.close();
    }
}
