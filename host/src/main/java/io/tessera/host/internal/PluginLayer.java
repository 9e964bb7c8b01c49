package io.tessera.host.internal;

import java.io.IOException;
import java.lang.module.ModuleReader;
import java.util.ArrayList;
import java.util.List;

/**
 * The module layer of one folder plugin and the module readers its class loader opened. Closing it closes those
 * readers, so the plugin's jars hold no open file once the plugin is uninstalled; dropping the last reference to it
 * lets the layer's class loader be collected.
 */
final class PluginLayer implements AutoCloseable {

    private final ModuleLayer layer;
    private final Module module;
    private final List<ModuleReader> readers;
    /** Grants reflective access to the plugin's packages; only needed when a plugin's classes are injected. */
    private final ModuleLayer.Controller controller;

    PluginLayer(ModuleLayer.Controller controller, Module module, List<ModuleReader> readers) {
        this.controller = controller;
        this.layer = controller.layer();
        this.module = module;
        this.readers = readers;
    }

    /**
     * Opens every package of the plugin module that is not open to {@code target} yet, so that {@code target} (Guice)
     * can reflect on classes the plugin did not open. Done only for plugins whose classes Guice constructs.
     */
    void openTo(Module target) {
        for (String pkg : module.getPackages()) {
            if (!module.isOpen(pkg, target)) {
                controller.addOpens(module, pkg, target);
            }
        }
    }

    /** Opens one package of the plugin module to {@code target}, e.g. a step config's package to the host. */
    void openPackage(String pkg, Module target) {
        if (!module.isOpen(pkg, target)) {
            controller.addOpens(module, pkg, target);
        }
    }

    ModuleLayer layer() {
        return layer;
    }

    Module module() {
        return module;
    }

    ClassLoader loader() {
        return module.getClassLoader();
    }

    @Override
    public void close() {
        List<ModuleReader> toClose;
        synchronized (readers) {
            toClose = new ArrayList<>(readers);
            readers.clear();
        }
        for (ModuleReader reader : toClose) {
            try {
                reader.close();
            } catch (IOException ignored) {
                // closing a jar we only read from; nothing to recover
            }
        }
    }
}
