package io.tessera.pipelines;

import io.tessera.api.problem.Problem;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.apiguardian.api.API;

/**
 * Every problem found in a pipeline before anything runs, in file order.
 *
 * @param source   the file or pipeline checked
 * @param problems the problems; empty when the pipeline is valid
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public record ValidationReport(String source, List<Problem> problems) {

    public ValidationReport {
        problems = problems.stream()
                .sorted(Comparator.comparing(Problem::file)
                        .thenComparingInt(Problem::line).thenComparingInt(Problem::column))
                .toList();
    }

    /** Whether nothing is wrong. */
    public boolean isValid() {
        return problems.isEmpty();
    }

    /** One line per problem. */
    public String describe() {
        return problems.stream().map(Problem::describe).collect(Collectors.joining("\n"));
    }
}
