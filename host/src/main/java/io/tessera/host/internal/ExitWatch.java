package io.tessera.host.internal;

import java.util.Map;
import java.util.function.Function;

/**
 * A shutdown hook that names the plugin when plugin code ends the JVM with {@code System.exit} while a host runs.
 * {@code System.exit} runs the shutdown hooks on the calling thread's behalf while that thread waits inside
 * {@code Runtime.exit}, so the hook finds it by its stack and reads the module of the frame that called
 * {@code exit}; if that module belongs to a plugin of the host, it prints one line on stderr naming the plugin, its
 * jar, the calling frame and the thread.
 *
 * <p>It cannot stop the exit: Java 17 has no sound way to veto {@code System.exit} without the deprecated security
 * manager, and {@code Runtime.halt} runs no hook at all, so a halting plugin cannot even be named. In-process plugins
 * are trusted code (docs/security.md).
 */
final class ExitWatch {

    private ExitWatch() {
    }

    /**
     * Installs a hook for one host.
     *
     * @param pluginOfModule how messages name the plugin that holds a module, or {@code null} if none does
     * @return the hook, for {@link #remove}; {@code null} if the JVM is already shutting down
     */
    static Thread install(Function<String, String> pluginOfModule) {
        Thread hook = new Thread(() -> report(pluginOfModule), "tessera-exit-watch");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            return hook;
        } catch (IllegalStateException shuttingDown) {
            return null;
        }
    }

    static void remove(Thread hook) {
        if (hook == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs (or ran) already
        }
    }

    private static void report(Function<String, String> pluginOfModule) {
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            StackTraceElement caller = exitCaller(e.getValue());
            if (caller == null || caller.getModuleName() == null) {
                continue;
            }
            String plugin = pluginOfModule.apply(caller.getModuleName());
            if (plugin != null) {
                System.err.println("tessera: " + plugin + " called System.exit from " + caller + " on thread '"
                        + e.getKey().getName() + "'; the JVM is exiting. Plugins run in-process as trusted code "
                        + "and the host cannot stop this (docs/security.md); remove or fix the plugin.");
                System.err.flush();
            }
        }
    }

    /** The frame that called {@code Runtime.exit} (directly or through {@code System.exit}), or {@code null}. */
    static StackTraceElement exitCaller(StackTraceElement[] stack) {
        for (int i = 0; i < stack.length; i++) {
            if ("java.lang.Runtime".equals(stack[i].getClassName()) && "exit".equals(stack[i].getMethodName())) {
                int j = i + 1;
                if (j < stack.length && "java.lang.System".equals(stack[j].getClassName())
                        && "exit".equals(stack[j].getMethodName())) {
                    j++;
                }
                return j < stack.length ? stack[j] : null;
            }
        }
        return null;
    }
}
