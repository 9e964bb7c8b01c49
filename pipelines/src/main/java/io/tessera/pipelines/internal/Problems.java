package io.tessera.pipelines.internal;

import io.tessera.api.problem.Problem;
import io.tessera.api.problem.Severity;
import io.tessera.pipelines.ValidationReport;
import java.util.List;

/** Problem collection of the pipeline reader and validator. */
final class Problems {
    private Problems() {
    }

    /** An error at {@code loc}, at pipeline path {@code path}. */
    static Problem at(Loc loc, String path, String message) {
        return Problem.at(Severity.ERROR, loc.file(), loc.line(), loc.column(), path, message, "");
    }

    static ValidationReport report(String source, List<Problem> problems) {
        return new ValidationReport(source, problems.stream().distinct().toList());
    }
}
