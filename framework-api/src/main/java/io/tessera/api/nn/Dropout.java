package io.tessera.api.nn;

import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import org.apiguardian.api.API;

/**
 * Dropout, PyTorch's {@code nn.Dropout}: in training, zeroes each element with probability {@code p} and scales the
 * others by {@code 1/(1-p)}; in eval, the identity. Masks come from the layer's own seedable {@link Generator}.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Dropout extends Module {
    private final double p;
    private final Generator generator;

    /** Dropout with probability {@code p} and masks drawn from {@code generator}. */
    public Dropout(double p, Generator generator) {
        this.p = NnChecks.probability("Dropout", p);
        this.generator = generator;
    }

    /** Dropout with probability {@code p} and an unseeded generator. */
    public Dropout(double p) {
        this(p, Init.unseeded());
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.dropout(input, p, isTraining(), generator);
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}
