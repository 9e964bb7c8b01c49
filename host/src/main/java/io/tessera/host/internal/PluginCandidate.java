package io.tessera.host.internal;

import io.tessera.api.plugin.PluginDescriptor;
import io.tessera.api.problem.Problem;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.util.Comparator;
import java.util.List;

/**
 * A plugin whose descriptor and module descriptor were read and agree with each other; no class of it has loaded.
 *
 * @param descriptor the manifest descriptor
 * @param module     the plugin module's descriptor
 * @param source     the jar or folder it comes from; {@code null} for a plugin of the boot layer
 * @param finder     finds the plugin module and its private dependency modules; {@code null} for the boot layer
 * @param bootModule the module of a boot-layer plugin; {@code null} for a plugin from a folder
 * @param warnings   problems that do not stop the plugin
 */
record PluginCandidate(PluginDescriptor descriptor, ModuleDescriptor module, PluginSource source, ModuleFinder finder,
                       Module bootModule, List<Problem> warnings) {

    /**
     * By id, then source. A plain class rather than {@code Comparator.comparing(...)}: lambdas each cost a class
     * spun at run time on their first use, which the host's start-up pays for every one on its path.
     */
    static final Comparator<PluginCandidate> BY_ID_THEN_SOURCE = new Comparator<>() {
        @Override
        public int compare(PluginCandidate a, PluginCandidate b) {
            int byId = a.id().compareTo(b.id());
            return byId != 0 ? byId : a.sourceText().compareTo(b.sourceText());
        }
    };

    PluginCandidate {
        warnings = List.copyOf(warnings);
    }

    String id() {
        return descriptor.id();
    }

    boolean isBoot() {
        return source == null;
    }

    /** The jar of the plugin module itself, or {@code null} for a boot plugin (or one found elsewhere). */
    java.nio.file.Path pluginJar() {
        if (source == null) {
            return null;
        }
        if (!source.isFolder()) {
            return source.path();
        }
        return finder.find(id()).flatMap(java.lang.module.ModuleReference::location).map(uri -> {
            try {
                return java.nio.file.Path.of(uri);
            } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                return null;
            }
        }).orElse(null);
    }

    /** {@code boot} or the jar/folder path. */
    String sourceText() {
        return source == null ? "boot" : source.path().toString();
    }

    /** How messages name this plugin: {@code plugin io.x 1.2.0 (plugins/x-1.2.0.jar)}. */
    String label() {
        return "plugin " + descriptor.id() + " " + descriptor.version() + " (" + sourceText() + ")";
    }
}
