package io.tessera.api.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DataLoaderTest {

    private static Dataset<Integer> numbers(int n) {
        return new Dataset<>() {
            @Override
            public int size() {
                return n;
            }

            @Override
            public Integer get(int index) {
                return index;
            }
        };
    }

    private static List<List<Integer>> collect(Iterable<List<Integer>> batches) {
        List<List<Integer>> out = new ArrayList<>();
        batches.forEach(out::add);
        return out;
    }

    @Test
    void keepsTheLastSmallerBatchByDefault() {
        DataLoader<List<Integer>> loader = DataLoader.of(numbers(10)).batchSize(4).build();
        assertThat(loader.batchesPerEpoch()).isEqualTo(3);
        assertThat(collect(loader.epoch(0)))
                .containsExactly(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7), List.of(8, 9));
    }

    @Test
    void dropsTheLastSmallerBatchWhenAsked() {
        DataLoader<List<Integer>> loader = DataLoader.of(numbers(10)).batchSize(4).dropLast(true).build();
        assertThat(loader.batchesPerEpoch()).isEqualTo(2);
        assertThat(collect(loader.epoch(0))).containsExactly(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7));
        assertThat(collect(DataLoader.of(numbers(8)).batchSize(4).dropLast(true).build().epoch(0))).hasSize(2);
    }

    @Test
    void shufflesIntoAPermutationThatDependsOnlyOnSeedAndEpoch() {
        DataLoader<List<Integer>> a = DataLoader.of(numbers(100)).batchSize(7).shuffle(true).seed(42).build();
        DataLoader<List<Integer>> b = DataLoader.of(numbers(100)).batchSize(7).shuffle(true).seed(42).build();
        DataLoader<List<Integer>> c = DataLoader.of(numbers(100)).batchSize(7).shuffle(true).seed(43).build();
        int[] e0 = a.order(0);
        assertThat(Arrays.stream(e0).sorted().toArray()).isEqualTo(IntStream.range(0, 100).toArray());
        assertThat(e0).isNotEqualTo(IntStream.range(0, 100).toArray());
        assertThat(b.order(0)).isEqualTo(e0);
        assertThat(a.order(1)).isNotEqualTo(e0);
        assertThat(c.order(0)).isNotEqualTo(e0);
        List<Integer> flat = new ArrayList<>();
        collect(a.epoch(0)).forEach(flat::addAll);
        assertThat(flat).containsExactly(Arrays.stream(e0).boxed().toArray(Integer[]::new));
    }

    @Test
    void iteratorWalksSuccessiveEpochs() {
        DataLoader<List<Integer>> loader = DataLoader.of(numbers(20)).batchSize(20).shuffle(true).seed(1).build();
        List<Integer> first = loader.iterator().next();
        List<Integer> second = loader.iterator().next();
        assertThat(first).containsExactly(Arrays.stream(loader.order(0)).boxed().toArray(Integer[]::new));
        assertThat(second).containsExactly(Arrays.stream(loader.order(1)).boxed().toArray(Integer[]::new));
    }

    @Test
    void shuffledClassesAreSpreadEvenly() {
        // A fair shuffle puts each half of the data into the first half of the order about half of the time.
        DataLoader<List<Integer>> loader = DataLoader.of(numbers(1000)).batchSize(10).shuffle(true).seed(5).build();
        long lowInFirstHalf = Arrays.stream(loader.order(0)).limit(500).filter(i -> i < 500).count();
        assertThat(lowInFirstHalf).isBetween(200L, 300L);
    }

    @Test
    void rejectsBadSettings() {
        assertThatThrownBy(() -> DataLoader.of(numbers(3)).batchSize(0))
                .hasMessageContaining("batch size must be >= 1, was 0");
        assertThatThrownBy(() -> DataLoader.of(numbers(3)).build().order(-1)).hasMessageContaining("epoch");
    }

    @Test
    void batchesImagesAsNchwFloatsInUnitRange() {
        byte[] px = new byte[3 * 2 * 2];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 20);
        }
        px[11] = (byte) 255;
        ArrayImageDataset ds = new ArrayImageDataset("tiny", px, new int[] {2, 0, 1}, 1, 2, 2,
                List.of("a", "b", "c"));
        DataLoader<ImageBatch> loader = DataLoader.ofImages(ds).batchSize(2).build();
        List<ImageBatch> batches = new ArrayList<>();
        loader.epoch(0).forEach(batches::add);
        assertThat(batches).hasSize(2);
        ImageBatch b0 = batches.get(0);
        assertThat(b0.shape()).containsExactly(2, 1, 2, 2);
        assertThat(b0.labels()).containsExactly(2, 0);
        assertThat(b0.labelsAsLongs()).containsExactly(2L, 0L);
        assertThat(b0.pixels()[1]).isEqualTo(20 / 255f);
        assertThat(batches.get(1).pixels()[3]).isEqualTo(1f);
        assertThat(ds.get(1).pixel(0, 1, 0)).isEqualTo(120 / 255f);
        assertThat(ds.classCounts()).containsExactly(1, 1, 1);
        assertThat(ds.slice(1, 3).label(0)).isEqualTo(0);
    }

    @Test
    void rejectsInconsistentImageArrays() {
        assertThatThrownBy(() -> new ArrayImageDataset("bad", new byte[5], new int[] {0}, 1, 2, 2, List.of("a")))
                .hasMessageContaining("bad: 1 images of 1x2x2 need 4 pixel bytes, got 5");
        assertThatThrownBy(() -> new ArrayImageDataset("bad", new byte[4], new int[] {3}, 1, 2, 2, List.of("a")))
                .hasMessageContaining("label 3 of image 0 is outside [0, 1)");
    }
}
