package io.tessera.host;

import io.tessera.api.plugin.PluginListener;
import java.nio.file.Path;
import java.time.Duration;
import org.apiguardian.api.API;

/** Configures a {@link TesseraHost}. Not thread-safe; each {@link #build()} returns a new, independent host. */
@API(status = API.Status.STABLE, since = "1.0")
public interface TesseraBuilder {

    /**
     * Adds a folder of plugins. Each {@code *.jar} directly in it is one plugin; each sub-folder is one plugin made of
     * the plugin jar (the one whose manifest has {@code Tessera-Plugin-Id}) and its private dependency jars.
     * Repeatable. A folder that does not exist yet is watched for when {@link #watch(boolean)} is on.
     */
    TesseraBuilder pluginDirectory(Path directory);

    /** Whether to run plugins found in the boot layer (module path) and on the class path; default {@code true}. */
    TesseraBuilder bootPlugins(boolean enabled);

    /** Whether to watch the plugin folders and install, update and uninstall plugins as jars change; default off. */
    TesseraBuilder watch(boolean enabled);

    /** How long a plugin's start hook may run before the plugin is marked FAILED; default 10 s. */
    TesseraBuilder startTimeout(Duration timeout);

    /** How long a plugin's stop hook may run before the host gives up on it; default 10 s. */
    TesseraBuilder stopTimeout(Duration timeout);

    /**
     * How long one call of a plugin's listener (plugin events, service registry) may run; default 5 s. A listener
     * that throws is reported on its plugin; one that overruns is abandoned on its thread, reported and never called
     * again, so one bad listener cannot hang or break the host (docs/security.md).
     */
    TesseraBuilder callbackTimeout(Duration timeout);

    /**
     * Loads only the folder plugin jars listed in this lock file (id, version and SHA-256 of each jar; format and
     * {@code tessera plugins lock} in {@link PluginLock}). Any other jar is refused with one ERROR that says how to
     * update the lock; a lock file that is missing or malformed refuses every folder plugin. Plugins of the boot layer
     * (module path) are not checked: they are the application's own. Without this call the host takes the file named
     * by the environment variable {@value PluginLock#ENVIRONMENT_VARIABLE}, if set; {@code null} turns checking off.
     */
    TesseraBuilder pluginLock(Path lockFile);

    /**
     * How long a changed file in a watched folder must stay unchanged (size, modification time, readable zip) before
     * it is loaded, so that copies in progress are not loaded half-written; default 500 ms.
     */
    TesseraBuilder settleTime(Duration quietPeriod);

    /** Adds a listener for plugin lifecycle events, registered before anything starts. Repeatable. */
    TesseraBuilder listener(PluginListener listener);

    /** Builds the host. Nothing is discovered or started before {@link TesseraHost#start()}. */
    TesseraHost build();
}
