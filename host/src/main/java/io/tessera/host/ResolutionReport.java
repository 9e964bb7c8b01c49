package io.tessera.host;

import io.tessera.api.problem.Problem;
import io.tessera.api.problem.Severity;
import java.util.List;
import org.apiguardian.api.API;

/**
 * The problems the host found with its plugins, as a value: every problem, not just the first.
 *
 * @param problems every problem, errors first, then by plugin id
 */
@API(status = API.Status.STABLE, since = "1.0")
public record ResolutionReport(List<Problem> problems) {

    public ResolutionReport {
        problems = List.copyOf(problems);
    }

    /** Whether there is at least one {@link Severity#ERROR}. */
    public boolean hasErrors() {
        return problems.stream().anyMatch(p -> p.severity() == Severity.ERROR);
    }

    /** The problems of one severity. */
    public List<Problem> problems(Severity severity) {
        return problems.stream().filter(p -> p.severity() == severity).toList();
    }

    /** The problems of one plugin. */
    public List<Problem> problemsOf(String pluginId) {
        return problems.stream().filter(p -> p.pluginId().equals(pluginId)).toList();
    }

    /** One line a problem, or {@code no problems}. */
    @Override
    public String toString() {
        if (problems.isEmpty()) {
            return "no problems";
        }
        StringBuilder sb = new StringBuilder();
        for (Problem p : problems) {
            sb.append(p.describe()).append('\n');
        }
        return sb.toString().stripTrailing();
    }
}
