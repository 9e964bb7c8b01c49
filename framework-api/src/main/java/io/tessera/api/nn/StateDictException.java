package io.tessera.api.nn;

import org.apiguardian.api.API;

/** A state dict did not fit a model; {@link #report()} lists every problem by name. */
@API(status = API.Status.STABLE, since = "1.0")
public final class StateDictException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient LoadReport report;

    StateDictException(String model, LoadReport report, boolean strict) {
        super("state dict does not fit " + model + ":\n" + report.describe()
                + (strict && report.shapeMismatches().isEmpty()
                        ? "\n(load with strict = false to ignore missing and unexpected keys)" : ""));
        this.report = report;
    }

    /** Every problem found. */
    public LoadReport report() {
        return report;
    }
}
