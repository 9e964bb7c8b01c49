package io.tessera.host.internal;

import com.google.inject.Module;
import io.tessera.api.plugin.PluginListener;
import io.tessera.host.TesseraBuilder;
import io.tessera.host.TesseraHost;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The builder behind {@link io.tessera.host.Tessera#builder()}. */
public final class DefaultTesseraBuilder implements TesseraBuilder {

    private final List<Path> directories = new ArrayList<>();
    private final List<Module> modules = new ArrayList<>();
    private final List<PluginListener> listeners = new ArrayList<>();
    private boolean bootPlugins = true;
    private boolean watch;
    private Duration startTimeout = Duration.ofSeconds(10);
    private Duration stopTimeout = Duration.ofSeconds(10);
    private Duration settleTime = Duration.ofMillis(500);
    private Duration callbackTimeout = Duration.ofSeconds(5);
    private Path pluginLock;
    private boolean pluginLockSet;

    @Override
    public TesseraBuilder pluginDirectory(Path directory) {
        directories.add(Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize());
        return this;
    }

    @Override
    public TesseraBuilder bootPlugins(boolean enabled) {
        this.bootPlugins = enabled;
        return this;
    }

    @Override
    public TesseraBuilder watch(boolean enabled) {
        this.watch = enabled;
        return this;
    }

    @Override
    public TesseraBuilder startTimeout(Duration timeout) {
        this.startTimeout = positive(timeout, "startTimeout");
        return this;
    }

    @Override
    public TesseraBuilder stopTimeout(Duration timeout) {
        this.stopTimeout = positive(timeout, "stopTimeout");
        return this;
    }

    @Override
    public TesseraBuilder callbackTimeout(Duration timeout) {
        this.callbackTimeout = positive(timeout, "callbackTimeout");
        return this;
    }

    @Override
    public TesseraBuilder pluginLock(Path lockFile) {
        this.pluginLock = lockFile == null ? null : lockFile.toAbsolutePath().normalize();
        this.pluginLockSet = true;
        return this;
    }

    @Override
    public TesseraBuilder settleTime(Duration quietPeriod) {
        Objects.requireNonNull(quietPeriod, "settleTime");
        if (quietPeriod.isNegative()) {
            throw new IllegalArgumentException("settleTime must not be negative, was " + quietPeriod);
        }
        this.settleTime = quietPeriod;
        return this;
    }

    /**
     * Adds Guice bindings of the embedding application, which plugins can inject. Not part of the exported
     * {@link TesseraBuilder}: embedders reach it through the optional adapter module {@code io.tessera.host.guice},
     * so that no Guice type appears in the runtime's API.
     */
    public TesseraBuilder module(Module module) {
        modules.add(Objects.requireNonNull(module, "module"));
        return this;
    }

    @Override
    public TesseraBuilder listener(PluginListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    @Override
    public TesseraHost build() {
        Path lock = pluginLock;
        if (!pluginLockSet) {
            String fromEnvironment = System.getenv(io.tessera.host.PluginLock.ENVIRONMENT_VARIABLE);
            if (fromEnvironment != null && !fromEnvironment.isBlank()) {
                lock = Path.of(fromEnvironment.strip()).toAbsolutePath().normalize();
            }
        }
        return new DefaultTesseraHost(new HostConfig(directories, bootPlugins, watch, startTimeout, stopTimeout,
                settleTime, modules, listeners, callbackTimeout, lock));
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
        return d;
    }
}
