package io.tessera.pipelines;

import java.util.Objects;
import org.apiguardian.api.API;

/** Thrown by {@link Pipelines#run} when the pipeline has problems; nothing was computed. */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class PipelineValidationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ValidationReport report;

    public PipelineValidationException(ValidationReport report) {
        super(Objects.requireNonNull(report, "report").problems().size() + " problem(s) in " + report.source()
                + ":\n" + report.describe());
        this.report = report;
    }

    /** The problems. */
    public ValidationReport report() {
        return report;
    }
}
