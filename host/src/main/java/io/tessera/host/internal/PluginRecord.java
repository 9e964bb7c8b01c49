package io.tessera.host.internal;

import io.tessera.api.plugin.PluginState;
import io.tessera.api.plugin.Version;
import io.tessera.host.PluginView;
import io.tessera.api.problem.Problem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Everything the host holds about one plugin. Mutated only under the host's lifecycle lock; {@link #state} is
 * volatile so views can be taken without it.
 */
final class PluginRecord {

    private static final Comparator<Problem> BY_SEVERITY = new Comparator<>() {
        @Override
        public int compare(Problem a, Problem b) {
            return a.severity().compareTo(b.severity());
        }
    };

    final String id;
    /** The version text for a record without a candidate; {@code null} otherwise (derived on demand). */
    private final String version;
    final String source;
    /** The descriptor-level plugin; {@code null} for an unreadable jar. */
    final PluginCandidate candidate;
    /** The read result this record was made from; identifies it across rescans. */
    final Object origin;

    volatile PluginState state = PluginState.UNINSTALLED;
    // empty lists most of the time: not allocated until a problem comes (a host may hold hundreds of records)
    private List<Problem> resolutionProblems = List.of();
    private List<Problem> lifecycleProblems = List.of();

    List<PluginRecord> dependencies = List.of();
    PluginLayer layer;
    PluginActivator.Activation activation;

    PluginRecord(String id, String version, String source, PluginCandidate candidate, Object origin) {
        this.id = id;
        this.version = candidate == null ? version : null;
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

    /** The version text: the descriptor's version, or what the record was made with ({@code ?} when unknown). */
    String version() {
        return candidate == null ? version : candidate.descriptor().version().toString();
    }

    synchronized void resolutionProblems(List<Problem> problems) {
        resolutionProblems = List.copyOf(problems);
    }

    synchronized void addLifecycleProblem(Problem problem) {
        List<Problem> more = new ArrayList<>(lifecycleProblems.size() + 1);
        more.addAll(lifecycleProblems);
        more.add(problem);
        lifecycleProblems = more;
    }

    synchronized void clearLifecycleProblems() {
        lifecycleProblems = List.of();
    }

    synchronized List<Problem> problems() {
        if (lifecycleProblems.isEmpty() && resolutionProblems.size() <= 1) {
            return resolutionProblems;
        }
        List<Problem> all = new ArrayList<>(resolutionProblems);
        all.addAll(lifecycleProblems);
        if (all.size() > 1) {
            all.sort(BY_SEVERITY);
        }
        return List.copyOf(all);
    }

    /** The SHA-256 of the plugin jar (hex), computed once; empty for a boot plugin or an unreadable source. */
    private volatile String sha256;

    String sha256() {
        String s = sha256;
        if (s == null) {
            s = "";
            if (candidate != null && candidate.source() != null) {
                java.nio.file.Path jar = candidate.pluginJar();
                try {
                    s = jar == null ? "" : candidate.source().sha256Of(jar);
                } catch (java.io.IOException e) {
                    s = ""; // gone since it was read: nothing to vouch for
                }
            }
            sha256 = s;
        }
        return s;
    }

    PluginView view() {
        return new PluginView(id, version(), state, source, problems(), sha256());
    }

    @Override
    public String toString() {
        return label() + " " + state;
    }
}
