package io.tessera.pipelines.internal;

import io.tessera.api.pipeline.Step;
import io.tessera.api.plugin.ServiceReference;
import io.tessera.api.plugin.ServiceRegistry;
import io.tessera.pipelines.StepInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The step types a pipeline can use: the host's core steps and every {@link Step} of the active plugins (and of the
 * embedder), by name. The first step of a name wins; the host's core steps come first.
 */
final class StepCatalog {

    /** A step type and where it comes from ({@code core} or a plugin id). */
    record Entry(Step<?> step, String origin, ConfigSchema schema) {
        StepInfo info() {
            return new StepInfo(step.name(), step.description(), origin, step.inputs(), step.outputs(),
                    schema.keys());
        }
    }

    private final Map<String, Entry> byName;

    private StepCatalog(Map<String, Entry> byName) {
        this.byName = byName;
    }

    static StepCatalog of(List<Step<?>> core, ServiceRegistry registry) {
        Map<String, Entry> map = new LinkedHashMap<>();
        for (Step<?> s : core) {
            map.putIfAbsent(s.name(), new Entry(s, "core", ConfigSchema.of(s)));
        }
        @SuppressWarnings({"unchecked", "rawtypes"})
        List<ServiceReference<Step<?>>> refs = (List) registry.references(Step.class);
        for (ServiceReference<Step<?>> r : refs) {
            String name;
            try {
                name = r.service().name();
            } catch (RuntimeException | LinkageError e) {
                continue;
            }
            if (name != null) {
                map.putIfAbsent(name, new Entry(r.service(), r.pluginId(), ConfigSchema.of(r.service())));
            }
        }
        return new StepCatalog(map);
    }

    Optional<Entry> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    Collection<String> names() {
        return byName.keySet();
    }

    List<StepInfo> infos() {
        List<StepInfo> out = new ArrayList<>();
        byName.values().forEach(e -> out.add(e.info()));
        out.sort(Comparator.comparing(StepInfo::name));
        return out;
    }
}
