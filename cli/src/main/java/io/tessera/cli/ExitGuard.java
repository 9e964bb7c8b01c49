package io.tessera.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Bounds how long the {@code tessera} process takes to exit. Plugins run in-process and may register shutdown hooks;
 * the JVM waits for every hook, so one that sleeps or loops would keep the command from ever exiting after it printed
 * its result. A shutdown hook of the CLI starts a daemon watchdog when the JVM begins to exit (it does not wait
 * itself, so a normal exit is not delayed); if the JVM is still exiting after the grace period
 * ({@code -Dtessera.exitGraceMillis}, default {@value #DEFAULT_GRACE_MILLIS} ms), the watchdog prints the threads
 * that still run application or plugin code (the hooks holding the exit up, named with their frame and module) and
 * halts the JVM with the command's exit code (1 when a plugin called {@code System.exit} itself: its status cannot
 * be read back). Docs: docs/security.md.
 */
final class ExitGuard {

    static final long DEFAULT_GRACE_MILLIS = 3000;
    static final String GRACE_PROPERTY = "tessera.exitGraceMillis";

    private static volatile int exitCode = 1;
    private static volatile boolean installed;

    private ExitGuard() {
    }

    /** Installs the guard once per JVM; the stream is where the watchdog reports (the process's stderr). */
    static synchronized void install(PrintStream err) {
        if (installed) {
            return;
        }
        installed = true;
        Thread hook = new Thread(() -> {
            Thread watchdog = new Thread(() -> watch(err), "tessera-exit-grace");
            watchdog.setDaemon(true);
            watchdog.start();
        }, "tessera-exit-guard");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Exits with {@code code}; the watchdog halts with it if shutdown hooks do not end in time. */
    static void exit(int code) {
        exitCode = code;
        System.exit(code);
    }

    private static void watch(PrintStream err) {
        long grace = Long.getLong(GRACE_PROPERTY, DEFAULT_GRACE_MILLIS);
        try {
            Thread.sleep(Math.max(0, grace));
        } catch (InterruptedException e) {
            return;
        }
        List<String> holding = new ArrayList<>();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            Thread t = e.getKey();
            if (t == Thread.currentThread() || !t.isAlive()) {
                continue;
            }
            StackTraceElement frame = firstForeignFrame(e.getValue());
            if (frame == null || calledExit(e.getValue())) {
                continue;
            }
            holding.add("thread '" + t.getName() + "'" + (t.isDaemon() ? " (daemon)" : "") + " at " + frame
                    + (frame.getModuleName() == null ? "" : " in module " + frame.getModuleName()));
        }
        err.println("tessera: the JVM did not finish exiting within " + grace + " ms (a shutdown hook, probably of a "
                + "plugin, is still running); halting with exit code " + exitCode
                + (holding.isEmpty() ? "" : ". Still running: " + String.join("; ", holding)));
        err.flush();
        Runtime.getRuntime().halt(exitCode);
    }

    /** The top frame of code that is not the JDK's or this class's, or {@code null}. */
    static StackTraceElement firstForeignFrame(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            String module = f.getModuleName();
            if (module != null && (module.startsWith("java.") || module.startsWith("jdk."))) {
                continue;
            }
            if (f.getClassName().startsWith(ExitGuard.class.getName())) {
                return null;
            }
            return f;
        }
        return null;
    }

    private static boolean calledExit(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            if ("java.lang.Shutdown".equals(f.getClassName())) {
                return true;
            }
        }
        return false;
    }
}
