package io.tessera.host.internal;

import io.tessera.api.problem.Problem;
import io.tessera.api.problem.Severity;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the threads a stopped plugin left running: threads whose class comes from the plugin's module, or (for a
 * folder plugin, which has a class loader of its own) whose context class loader is the plugin's, as every thread a
 * plugin starts from its hooks inherits. A non-daemon one keeps the JVM from exiting after {@code host.close()}; any
 * of them keeps the plugin's class loader from being collected. The host cannot stop them (Java has no sound way to
 * stop a thread), so it reports them: docs/security.md.
 */
final class PluginThreads {

    /** How long a stopped plugin's threads get to end after its stop hook returned. */
    private static final long GRACE_NANOS = 200_000_000L;

    private PluginThreads() {
    }

    /** Problems for the threads still running code of {@code module} after its plugin stopped; empty if none. */
    static List<Problem> lingering(String id, String source, String label, Module module, boolean boot) {
        if (module == null) {
            return List.of();
        }
        ClassLoader loader = boot ? null : module.getClassLoader();
        List<Thread> found = find(module, loader);
        long deadline = System.nanoTime() + GRACE_NANOS;
        while (!found.isEmpty() && System.nanoTime() < deadline) {
            // a thread told to end in stop() may need a moment to get there
            try {
                found.get(0).join(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            found = find(module, loader);
        }
        List<Problem> problems = new ArrayList<>();
        for (Thread t : found) {
            StackTraceElement[] stack = t.getStackTrace();
            String where = stack.length == 0 ? "" : " at " + stack[0];
            if (t.isDaemon()) {
                problems.add(Problem.plugin(Severity.WARNING, id, source, label + " left daemon thread '" + t.getName()
                        + "' running after it stopped" + where + "; it keeps the plugin's class loader from being "
                        + "unloaded", "end the plugin's threads in Plugin.stop (interrupt and join them)"));
            } else {
                problems.add(Problem.plugin(Severity.ERROR, id, source, label + " left non-daemon thread '"
                        + t.getName() + "' running after it stopped" + where + "; the JVM cannot exit while it runs "
                        + "(only System.exit ends it) and the plugin's class loader cannot be unloaded",
                        "end the plugin's threads in Plugin.stop (interrupt and join them), or make them daemons"));
            }
        }
        return problems;
    }

    private static List<Thread> find(Module module, ClassLoader loader) {
        List<Thread> result = new ArrayList<>();
        Thread self = Thread.currentThread();
        for (Thread t : allThreads()) {
            if (t == self || !t.isAlive() || t instanceof PluginCallbacks.CallbackThread
                    || t.getClass().getModule() == PluginThreads.class.getModule()) {
                continue; // the host's own workers: an abandoned one was reported when it was abandoned
            }
            if (t.getClass().getModule() == module || (loader != null && t.getContextClassLoader() == loader)) {
                result.add(t);
            }
        }
        return result;
    }

    static Thread[] allThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads;
        int n;
        do {
            threads = new Thread[root.activeCount() * 2 + 16];
            n = root.enumerate(threads, true);
        } while (n == threads.length);
        return java.util.Arrays.copyOf(threads, n);
    }
}
