package io.tessera.api.nn;

import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import org.apiguardian.api.API;

/**
 * Channel dropout, PyTorch's {@code nn.Dropout2d}: in training, zeroes whole channels of an {@code [N, C, H, W]}
 * (or {@code [C, H, W]}) input with probability {@code p} and scales the others by {@code 1/(1-p)}.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Dropout2d extends Module {
    private final double p;
    private final Generator generator;

    /** Channel dropout with probability {@code p} and masks drawn from {@code generator}. */
    public Dropout2d(double p, Generator generator) {
        this.p = NnChecks.probability("Dropout2d", p);
        this.generator = generator;
    }

    /** Channel dropout with an unseeded generator. */
    public Dropout2d(double p) {
        this(p, Init.unseeded());
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.rank() != 3 && input.rank() != 4) {
            throw new IllegalArgumentException("Dropout2d: expected [N, C, H, W] or [C, H, W], got shape "
                    + input.shape());
        }
        if (!isTraining() || p == 0) {
            return input.copy();
        }
        if (p == 1) {
            return input.mul(0.0);
        }
        long[] maskShape = input.dims();
        for (int a = input.rank() - 2; a < input.rank(); a++) {
            maskShape[a] = 1;
        }
        return Composite.apply(() -> input.mul(generator.bernoulli(input.backend(), Shape.of(maskShape), 1 - p)
                .to(input.dtype())).div(1 - p));
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}
