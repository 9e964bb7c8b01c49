package io.tessera.pipelines.internal;

import io.tessera.pipelines.ValidationProblem;
import io.tessera.pipelines.ValidationReport;
import java.util.List;

/** Problem collection of the pipeline reader and validator. */
final class Problems {
    private Problems() {
    }

    /** A problem at {@code loc}, at pipeline path {@code path}. */
    record Problem(Loc loc, String path, String message) {
        ValidationProblem toPublic() {
            return new ValidationProblem(loc.file(), loc.line(), loc.column(), path, message);
        }
    }

    static ValidationReport report(String source, List<Problem> problems) {
        return new ValidationReport(source, problems.stream().distinct().map(Problem::toPublic).toList());
    }
}
