package io.tessera.host.internal;

import java.io.IOException;
import java.lang.ref.Cleaner;
import java.lang.module.ModuleReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The module layer of one folder plugin and the module readers its class loader opened.
 *
 * <p>The readers stay open while the layer's class loader is reachable and are closed by a {@link Cleaner} once it
 * is not. A call into the plugin that is still running when the plugin is stopped, replaced or uninstalled (another
 * thread inside an extension, say) keeps its class loader reachable, so it can still load the classes it has not
 * needed yet and finishes on the old revision instead of failing with {@code NoClassDefFoundError}. Once the last
 * such call has returned and the host has dropped the layer, the loader becomes collectable, the next collection
 * closes the readers, and the jar is held open no longer (docs/architecture.md, "Hot deploy").
 */
final class PluginLayer {

    private final ModuleLayer layer;
    private final Module module;
    private final List<ModuleReader> readers;
    /** Grants reflective access to the plugin's packages; only needed when a plugin's classes are injected. */
    private final ModuleLayer.Controller controller;

    private final ReadersCloser closer;

    /**
     * @param readers the readers the loader opens (filled as it opens them)
     * @param cleaner closes them once the loader is unreachable
     * @param retired where {@link #retire()} records the layer until its readers are closed
     */
    PluginLayer(ModuleLayer.Controller controller, Module module, List<ModuleReader> readers, Cleaner cleaner,
            Set<Object> retired) {
        this.controller = controller;
        this.layer = controller.layer();
        this.module = module;
        this.readers = readers;
        this.closer = new ReadersCloser(readers, retired);
        // the action must not reach the loader, or the loader would never become unreachable
        cleaner.register(module.getClassLoader(), closer);
    }

    /** The host has dropped this layer: its readers close at the first collection after its last call returned. */
    void retire() {
        closer.retired.add(closer);
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

    /** Closes the readers; identity-equal, so that the retired set can hold it. */
    private static final class ReadersCloser implements Runnable {
        private final List<ModuleReader> readers;
        private final Set<Object> retired;

        ReadersCloser(List<ModuleReader> readers, Set<Object> retired) {
            this.readers = readers;
            this.retired = retired;
        }

        @Override
        public void run() {
            retired.remove(this);
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
}
