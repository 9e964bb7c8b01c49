package io.tessera.api.nn;

import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import org.apiguardian.api.API;

/**
 * A lookup table, PyTorch's {@code nn.Embedding}: {@code weight [num, dim]} initialised from a standard normal;
 * the input holds int64 indices and the output appends the embedding dimension.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Embedding extends Module {
    private final int numEmbeddings;
    private final int embeddingDim;
    private final Tensor weight;

    /** A table of {@code numEmbeddings} vectors of {@code embeddingDim}, drawn from N(0, 1) with {@code gen}. */
    public Embedding(TensorBackend backend, int numEmbeddings, int embeddingDim, Generator gen) {
        if (numEmbeddings < 1 || embeddingDim < 1) {
            throw new IllegalArgumentException("Embedding: sizes must be >= 1, got " + numEmbeddings + " x "
                    + embeddingDim);
        }
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.weight = registerParameter("weight",
                Init.normal(backend, new long[] {numEmbeddings, embeddingDim}, 0, 1, gen));
    }

    @Override
    public Tensor forward(Tensor indices) {
        if (indices.dtype() != DType.INT64) {
            throw new IllegalArgumentException("Embedding: indices must be int64, got " + indices.dtype()
                    + indices.shape());
        }
        return Functional.embedding(weight, indices);
    }

    /** The table {@code [num, dim]}. */
    public Tensor weight() {
        return weight;
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim;
    }
}
