package io.tessera.training;

import io.tessera.api.data.ImageBatch;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import org.apiguardian.api.API;

/**
 * How a {@link Trainer} turns one batch of a {@link io.tessera.api.data.DataLoader} into the model's input and the
 * loss's target. Tensors it creates belong to the trainer's per-batch scope.
 *
 * @param <B> the batch type
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public interface Batches<B> {

    /** The number of examples in {@code batch} (the weight of its loss in an epoch's mean). */
    int size(B batch);

    /** The model's input for {@code batch}. */
    Tensor input(B batch, TensorBackend backend);

    /** The loss's target for {@code batch}. */
    Tensor target(B batch, TensorBackend backend);

    /** Image batches: the pixels as float32 NCHW input, the labels as int64 class indices. */
    static Batches<ImageBatch> images() {
        return new Batches<>() {
            @Override
            public int size(ImageBatch batch) {
                return batch.size();
            }

            @Override
            public Tensor input(ImageBatch batch, TensorBackend backend) {
                return backend.tensor(batch.pixels(), batch.shape());
            }

            @Override
            public Tensor target(ImageBatch batch, TensorBackend backend) {
                return backend.tensor(batch.labelsAsLongs(), batch.size());
            }
        };
    }
}
