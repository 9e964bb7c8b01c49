package io.tessera.pipelines.internal;

import io.tessera.pipelines.report.RunReporter;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The installed {@link RunReporter}s: providers in the boot layer (module path) and {@code META-INF/services} entries on
 * the class path, looked up once. A reporter that cannot be created is left out with a warning, not a failed run.
 */
final class RunReporters {
    private static final System.Logger LOG = System.getLogger(RunReporters.class.getName());
    private static volatile List<RunReporter> all;

    private RunReporters() {
    }

    static List<RunReporter> all() {
        List<RunReporter> found = all;
        if (found == null) {
            found = new ArrayList<>();
            var it = ServiceLoader.load(RunReporter.class, RunReporter.class.getClassLoader()).iterator();
            for (int errors = 0; errors < 16; ) {
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    found.add(it.next());
                } catch (ServiceConfigurationError e) {
                    errors++;
                    LOG.log(System.Logger.Level.WARNING, "a run reporter cannot be loaded: " + e.getMessage());
                }
            }
            all = found = List.copyOf(found);
        }
        return found;
    }
}
