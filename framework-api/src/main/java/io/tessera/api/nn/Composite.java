package io.tessera.api.nn;

import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.Tensors;
import java.util.function.Supplier;

/**
 * Runs an op composed of several tensor ops in its own scope and keeps only the result: without gradient recording
 * the intermediates close at once; with recording the result holds the ones its backward pass reads (see
 * {@link io.tessera.api.tensor.TensorScope}), so they close with it and never pile up in the caller's scope.
 */
final class Composite {
    private Composite() {
    }

    static Tensor apply(Supplier<Tensor> body) {
        return Tensors.inScope(body);
    }
}
