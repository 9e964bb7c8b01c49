package io.tessera.api.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.apiguardian.api.API;

/**
 * Cuts a dataset into batches, epoch after epoch, like PyTorch's {@code DataLoader}: a fixed batch size, optional
 * shuffling from a seed, and an option to drop the last, smaller batch.
 *
 * <p>Each epoch's order depends only on the seed and the epoch number ({@link #order(int)}), so a run restarted at
 * epoch {@code e} sees the same batches as the original. {@link #iterator()} walks epoch 0, 1, 2, ... on successive
 * calls; {@link #epoch(int)} walks a given one.
 *
 * <pre>{@code
 * DataLoader<ImageBatch> train = DataLoader.ofImages(trainSet).batchSize(128).shuffle(true).seed(7).build();
 * for (int epoch = 0; epoch < 3; epoch++) {
 *     for (ImageBatch b : train.epoch(epoch)) { ... }
 * }
 * }</pre>
 *
 * @param <B> the batch type
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class DataLoader<B> implements Iterable<B> {

    /** Turns the indices of one batch into a batch. */
    @FunctionalInterface
    public interface Collator<B> {
        /** The batch of the examples at {@code indices} (in that order). */
        B collate(int[] indices);
    }

    private final int datasetSize;
    private final Collator<B> collator;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private int nextEpoch;

    private DataLoader(Builder<B> b) {
        this.datasetSize = b.datasetSize;
        this.collator = b.collator;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
    }

    /** A loader over any dataset whose batches are lists of examples. */
    public static <E> Builder<List<E>> of(Dataset<E> dataset) {
        Objects.requireNonNull(dataset, "dataset");
        return new Builder<>(dataset.size(), indices -> {
            List<E> out = new ArrayList<>(indices.length);
            for (int i : indices) {
                out.add(dataset.get(i));
            }
            return out;
        });
    }

    /** A loader over an image dataset whose batches are {@link ImageBatch}es (NCHW floats and labels). */
    public static Builder<ImageBatch> ofImages(ImageDataset dataset) {
        Objects.requireNonNull(dataset, "dataset");
        return new Builder<>(dataset.size(), dataset::batch);
    }

    /** A loader over {@code size} examples that {@code collator} turns into batches. */
    public static <B> Builder<B> of(int size, Collator<B> collator) {
        return new Builder<>(size, collator);
    }

    /** Number of examples in the dataset. */
    public int datasetSize() {
        return datasetSize;
    }

    /** The batch size. */
    public int batchSize() {
        return batchSize;
    }

    /** Batches in one epoch: {@code ceil(size / batchSize)}, or {@code floor} with drop-last. */
    public int batchesPerEpoch() {
        return dropLast ? datasetSize / batchSize : (datasetSize + batchSize - 1) / batchSize;
    }

    /**
     * The order in which epoch {@code epoch} visits the examples: {@code 0..size-1} without shuffling, otherwise a
     * permutation that depends only on the seed and the epoch.
     */
    public int[] order(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, was " + epoch);
        }
        int[] idx = new int[datasetSize];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        if (shuffle) {
            // One independent stream per epoch, derived from the seed (SplittableRandom mixes the input well).
            SplittableRandom rng = new SplittableRandom(new SplittableRandom(seed).split().nextLong() + epoch
                    * 0x9E3779B97F4A7C15L);
            for (int i = idx.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
        }
        return idx;
    }

    /** The batches of epoch {@code epoch}; collation happens lazily, batch by batch. */
    public Iterable<B> epoch(int epoch) {
        return epoch(epoch, 0);
    }

    /**
     * The batches of epoch {@code epoch} from batch {@code firstBatch} on (0-based), as a run resumed in the middle of
     * an epoch continues; the batches before it are not collated.
     *
     * @throws IllegalArgumentException when {@code firstBatch} is negative or beyond {@link #batchesPerEpoch()}
     */
    public Iterable<B> epoch(int epoch, int firstBatch) {
        if (firstBatch < 0 || firstBatch > batchesPerEpoch()) {
            throw new IllegalArgumentException("first batch must be in [0, " + batchesPerEpoch() + "], was "
                    + firstBatch);
        }
        int[] order = order(epoch);
        return () -> new Iterator<>() {
            private int batch = firstBatch;
            private final int count = batchesPerEpoch();

            @Override
            public boolean hasNext() {
                return batch < count;
            }

            @Override
            public B next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int from = batch * batchSize;
                int to = Math.min(from + batchSize, datasetSize);
                batch++;
                int[] indices = new int[to - from];
                System.arraycopy(order, from, indices, 0, indices.length);
                return collator.collate(indices);
            }
        };
    }

    /** The batches of the next epoch: epoch 0 on the first call, 1 on the second, and so on. */
    @Override
    public synchronized Iterator<B> iterator() {
        return epoch(nextEpoch++).iterator();
    }

    /** A loader with the same settings whose batches are mapped by {@code f}. */
    public <C> DataLoader<C> map(Function<? super B, ? extends C> f) {
        Builder<C> b = new Builder<C>(datasetSize, indices -> f.apply(collator.collate(indices)))
                .batchSize(batchSize).shuffle(shuffle).seed(seed).dropLast(dropLast);
        return b.build();
    }

    /** Settings of a {@link DataLoader}; defaults: batch size 1, no shuffling, seed 0, keep the last batch. */
    public static final class Builder<B> {
        private final int datasetSize;
        private final Collator<B> collator;
        private int batchSize = 1;
        private boolean shuffle;
        private long seed;
        private boolean dropLast;

        private Builder(int datasetSize, Collator<B> collator) {
            if (datasetSize < 0) {
                throw new IllegalArgumentException("dataset size must be >= 0, was " + datasetSize);
            }
            this.datasetSize = datasetSize;
            this.collator = Objects.requireNonNull(collator, "collator");
        }

        /** Examples per batch (the last batch may be smaller unless {@link #dropLast}). */
        public Builder<B> batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, was " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Whether each epoch visits the examples in a fresh random order. */
        public Builder<B> shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** The seed of the shuffling. */
        public Builder<B> seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Whether to drop the last batch when it is smaller than the batch size. */
        public Builder<B> dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** The loader. */
        public DataLoader<B> build() {
            return new DataLoader<>(this);
        }
    }
}
