package io.tessera.api.nn;

import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import java.util.Arrays;
import org.apiguardian.api.API;

/**
 * Layer normalisation over the trailing {@code normalizedShape}, PyTorch's {@code nn.LayerNorm}: biased variance,
 * {@code weight} ones and {@code bias} zeros of that shape.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class LayerNorm extends Module {
    private final long[] normalizedShape;
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;

    /** PyTorch's defaults: eps 1e-5, elementwise affine. */
    public LayerNorm(TensorBackend backend, long... normalizedShape) {
        this(backend, normalizedShape, 1e-5, true);
    }

    /** A layer norm with explicit eps and affine setting. */
    public LayerNorm(TensorBackend backend, long[] normalizedShape, double eps, boolean elementwiseAffine) {
        if (normalizedShape.length == 0) {
            throw new IllegalArgumentException("LayerNorm: normalized_shape must not be empty");
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        Shape s = Shape.of(normalizedShape);
        this.weight = registerParameter("weight", elementwiseAffine ? backend.ones(s, DType.FLOAT32)
                : null);
        this.bias = registerParameter("bias", elementwiseAffine ? backend.zeros(s, DType.FLOAT32)
                : null);
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.layerNorm(input, normalizedShape, weight, bias, eps);
    }

    @Override
    protected String extraRepr() {
        return Arrays.toString(normalizedShape) + ", eps=" + eps + ", elementwise_affine=" + (weight != null);
    }
}
