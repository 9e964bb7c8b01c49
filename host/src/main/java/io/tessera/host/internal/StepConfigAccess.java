package io.tessera.host.internal;

import io.tessera.api.pipeline.Step;
import java.lang.reflect.Modifier;

/**
 * Makes a step's config record readable to the host, which derives the config schema from its record components and
 * builds it from a pipeline's {@code with:} block by reflection. A config record in a package the plugin does not open
 * is opened to the host through the plugin layer's controller, as its packages are opened to Guice; a plugin in the
 * boot layer cannot be opened, so there it is an error of that plugin at start, not a silent "(none)" later.
 */
final class StepConfigAccess {

    /**
     * The module that reads config records: {@code io.tessera.pipelines} beside this runtime on the module path; on
     * the class path the pipelines code shares this runtime's unnamed module.
     */
    private static final Module READER = reader();

    private static Module reader() {
        Module self = StepConfigAccess.class.getModule();
        ModuleLayer layer = self.getLayer();
        if (!self.isNamed() || layer == null) {
            return self;
        }
        return layer.findModule("io.tessera.pipelines").orElse(self);
    }

    private StepConfigAccess() {
    }

    /**
     * Grants the host access to {@code step}'s config record.
     *
     * @param access the plugin's layer, or {@code null} for a boot-layer plugin
     * @throws PluginActivator.StartFailure if the record is unreadable and the host cannot open its package
     */
    static void grant(String label, Step<?> step, Module plugin, PluginLayer access)
            throws PluginActivator.StartFailure {
        Class<?> type;
        try {
            type = step.configType();
        } catch (RuntimeException | LinkageError e) {
            return; // the schema reports it with the step
        }
        if (type == null || type.getModule() != plugin || !plugin.isNamed()) {
            return;
        }
        String pkg = type.getPackageName();
        boolean readable = plugin.isOpen(pkg, READER)
                || (plugin.isExported(pkg, READER) && Modifier.isPublic(type.getModifiers()));
        if (readable) {
            return;
        }
        if (access != null) {
            access.openPackage(pkg, READER);
            return;
        }
        throw new PluginActivator.StartFailure(label + ": step " + step.name() + " has its config record "
                + type.getName() + " in package " + pkg + ", which module " + plugin.getName() + " does not export "
                + "to the host, so no pipeline could configure it", null, false);
    }
}
