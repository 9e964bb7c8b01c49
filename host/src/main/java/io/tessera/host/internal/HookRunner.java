package io.tessera.host.internal;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs plugin code (instantiation and {@code start}/{@code stop} hooks) off the host's thread under a timeout, one
 * task at a time, on a worker thread that lives for one lifecycle pass of the host ({@code start}, {@code refresh},
 * {@code close}) rather than for one plugin: creating a thread per plugin cost ~0.6 ms each on a loaded 2-core machine,
 * more than the rest of starting a trivial plugin.
 *
 * <p>Each task runs with the plugin's class loader as context class loader, under a thread name of its own, and with
 * the interrupt flag cleared. A task that does not finish in time is interrupted and its worker abandoned to it; the
 * next task gets a fresh worker. {@link #endPass()} ends the worker and waits for it, so nothing a plugin left in a
 * thread-local outlives the pass (which would keep an uninstalled plugin's class loader reachable).
 */
final class HookRunner {

    private static final String IDLE_NAME = "tessera-plugin-hooks";

    /** One task and where its result goes. */
    private record Job(String name, ClassLoader loader, Callable<?> task, CompletableFuture<Object> result) {
    }

    /** Tells a worker to end. */
    private static final Job END = new Job(IDLE_NAME, null, null, null);

    private Worker worker;

    /**
     * Runs {@code task} on the pass's worker and waits at most {@code timeout} for it.
     *
     * @param name   the thread name while it runs, e.g. {@code tessera-start-io.acme.one}
     * @param loader the context class loader while it runs
     * @throws TimeoutException   if it did not finish in time (it was interrupted and is left running)
     * @throws ExecutionException with what the task threw
     */
    @SuppressWarnings("unchecked")
    <T> T run(String name, ClassLoader loader, Duration timeout, Callable<T> task)
            throws TimeoutException, ExecutionException {
        Worker w = worker;
        if (w == null) {
            w = new Worker();
            worker = w;
            w.start();
        }
        Job job = new Job(name, loader, task, new CompletableFuture<>());
        w.jobs.add(job);
        try {
            return (T) job.result().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            abandon(w);
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon(w);
            throw new ExecutionException("interrupted while waiting for " + name, e);
        }
    }

    /** Ends the current worker, if any, and waits until it has ended. */
    void endPass() {
        Worker w = worker;
        worker = null;
        if (w == null) {
            return;
        }
        w.jobs.add(END);
        boolean interrupted = false;
        while (w.isAlive()) {
            try {
                w.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // the worker is busy with a task that overran: it ends once the task returns; later tasks get a new one
    private void abandon(Worker w) {
        worker = null;
        w.jobs.add(END);
        w.interrupt();
    }

    private static final class Worker extends Thread {
        private final LinkedBlockingQueue<Job> jobs = new LinkedBlockingQueue<>();

        Worker() {
            super(IDLE_NAME);
            setDaemon(true);
            setContextClassLoader(null);
        }

        @Override
        public void run() {
            while (true) {
                Job job;
                try {
                    job = jobs.take();
                } catch (InterruptedException e) {
                    // abandoned while idle: END is queued
                    continue;
                }
                if (job == END) {
                    return;
                }
                setName(job.name());
                setContextClassLoader(job.loader());
                Thread.interrupted();
                try {
                    job.result().complete(job.task().call());
                } catch (Throwable t) {
                    job.result().completeExceptionally(t);
                } finally {
                    setContextClassLoader(null);
                    setName(IDLE_NAME);
                }
            }
        }
    }
}
