package io.tessera.host.internal;

import io.tessera.api.plugin.PluginState;
import io.tessera.api.plugin.Version;
import io.tessera.host.PluginView;
import io.tessera.host.Problem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Everything the host holds about one plugin. Mutated only under the host's lifecycle lock; {@link #state} is
 * volatile so views can be taken without it.
 */
final class PluginRecord {

    final String id;
    final String version;
    final String source;
    /** The descriptor-level plugin; {@code null} for an unreadable jar. */
    final PluginCandidate candidate;
    /** The read result this record was made from; identifies it across rescans. */
    final Object origin;

    volatile PluginState state = PluginState.UNINSTALLED;
    private final List<Problem> resolutionProblems = new ArrayList<>();
    private final List<Problem> lifecycleProblems = new ArrayList<>();

    List<PluginRecord> dependencies = List.of();
    PluginLayer layer;
    PluginActivator.Activation activation;

    PluginRecord(String id, String version, String source, PluginCandidate candidate, Object origin) {
        this.id = id;
        this.version = version;
        this.source = source;
        this.candidate = candidate;
        this.origin = origin;
    }

    boolean isBoot() {
        return candidate != null && candidate.isBoot();
    }

    Version semanticVersion() {
        return candidate == null ? null : candidate.descriptor().version();
    }

    String label() {
        return candidate != null ? candidate.label() : "plugin " + id + " (" + source + ")";
    }

    ModuleLayer moduleLayer() {
        if (isBoot()) {
            return candidate.bootModule().getLayer();
        }
        return layer == null ? null : layer.layer();
    }

    Module module() {
        if (isBoot()) {
            return candidate.bootModule();
        }
        return layer == null ? null : layer.module();
    }

    synchronized void resolutionProblems(List<Problem> problems) {
        resolutionProblems.clear();
        resolutionProblems.addAll(problems);
    }

    synchronized void addLifecycleProblem(Problem problem) {
        lifecycleProblems.add(problem);
    }

    synchronized void clearLifecycleProblems() {
        lifecycleProblems.clear();
    }

    synchronized List<Problem> problems() {
        List<Problem> all = new ArrayList<>(resolutionProblems);
        all.addAll(lifecycleProblems);
        all.sort(Comparator.comparing(Problem::severity));
        return List.copyOf(all);
    }

    PluginView view() {
        return new PluginView(id, version, state, source, problems());
    }

    @Override
    public String toString() {
        return label() + " " + state;
    }
}
