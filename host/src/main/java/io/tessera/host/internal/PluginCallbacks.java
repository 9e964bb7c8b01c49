package io.tessera.host.internal;

import io.tessera.api.problem.Problem;
import io.tessera.api.problem.Severity;
import java.time.Duration;
import java.util.Objects;

/**
 * Runs a plugin's callbacks (its lifecycle-event and service-registry listeners) as the foreign code they are: each call
 * runs on a thread of its own, with the plugin's class loader as context class loader, while the thread that caused it
 * waits at most the callback timeout. A callback that throws (anything, {@code AssertionError} included) is caught and
 * reported as a problem of its plugin; one that does not return in time is interrupted, abandoned to its thread (a
 * daemon, so it cannot keep the JVM alive) and reported, and the caller disables it so it is never called again.
 * A callback that causes another callback (a listener that registers a service) runs that one inline: it is already
 * off the host's thread and under a timeout.
 *
 * <p>Threads are created per call, not pooled: plugin callbacks are rare (the host's and the embedder's own listeners
 * run directly), and a fresh thread keeps no thread-local of an unloaded plugin. Docs: docs/security.md.
 */
final class PluginCallbacks {

    /** Where problems of a plugin's callbacks go: the plugin's record, so they appear in its view and the report. */
    interface Reporter {
        void report(String pluginId, Problem problem);
    }

    /** What a call came to. */
    enum Outcome {
        /** It returned. */
        RETURNED,
        /** It threw; reported. */
        THREW,
        /** It did not return within the timeout; reported and abandoned: disable it. */
        TIMED_OUT
    }

    private final Duration timeout;
    private final Reporter reporter;

    PluginCallbacks(Duration timeout, Reporter reporter) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.reporter = Objects.requireNonNull(reporter, "reporter");
    }

    Duration timeout() {
        return timeout;
    }

    /**
     * Calls {@code callback} of plugin {@code owner}.
     *
     * @param what       what is being called, for messages: {@code its plugin-event listener io.acme.Listener}
     * @param reportThrow whether a throw is reported (listeners report their first throw only)
     */
    Outcome call(String owner, String what, ClassLoader loader, boolean reportThrow, Runnable callback) {
        if (Thread.currentThread() instanceof CallbackThread) {
            try {
                callback.run();
                return Outcome.RETURNED;
            } catch (Throwable t) {
                rethrowIfFatal(t);
                if (reportThrow) {
                    reportThrow(owner, what, t);
                }
                return Outcome.THREW;
            }
        }
        CallbackThread thread = new CallbackThread(owner, loader, callback);
        thread.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        try {
            while (thread.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    thread.join(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (thread.isAlive()) {
            thread.interrupt();
            String message = "plugin " + owner + ": " + what + " did not return within "
                    + PluginActivator.human(timeout) + "; it was abandoned on its thread '" + thread.getName()
                    + "' and will not be called again";
            report(owner, Problem.plugin(Severity.ERROR, owner, sourceOf(owner), message,
                    "make the listener return promptly; hand long work to a thread of your own"));
            return Outcome.TIMED_OUT;
        }
        Throwable failure = thread.failure;
        if (failure != null) {
            if (reportThrow) {
                reportThrow(owner, what, failure);
            }
            return Outcome.THREW;
        }
        return Outcome.RETURNED;
    }

    private void reportThrow(String owner, String what, Throwable t) {
        report(owner, Problem.plugin(Severity.WARNING, owner, sourceOf(owner), "plugin " + owner + ": " + what
                + " threw " + PluginActivator.describe(t) + "; the host went on without it",
                "catch the exception in the listener"));
    }

    private void report(String owner, Problem problem) {
        System.getLogger(PluginCallbacks.class.getName()).log(System.Logger.Level.WARNING, problem.message());
        reporter.report(owner, problem);
    }

    // the reporter fills in the real source; a problem needs one to be built
    private static String sourceOf(String owner) {
        return owner;
    }

    static void rethrowIfFatal(Throwable t) {
        if (t instanceof VirtualMachineError v && !(t instanceof OutOfMemoryError)) {
            throw v;
        }
    }

    /** The thread one callback runs on; a daemon, so an abandoned one never keeps the JVM alive. */
    static final class CallbackThread extends Thread {
        private final Runnable callback;
        private volatile Throwable failure;

        CallbackThread(String owner, ClassLoader loader, Runnable callback) {
            super("tessera-callback-" + owner);
            this.callback = callback;
            setDaemon(true);
            setContextClassLoader(loader);
        }

        @Override
        public void run() {
            try {
                callback.run();
            } catch (Throwable t) {
                failure = t;
            }
        }
    }
}
