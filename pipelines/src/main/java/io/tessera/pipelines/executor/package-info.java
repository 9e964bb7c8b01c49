/**
 * Fan-out executors: where the items of a fan-out step ({@code matrix:}) run. The engine runs {@code executor: local}
 * itself (a bounded pool in the run's JVM); other executors are {@link io.tessera.pipelines.executor.ItemExecutor}
 * services found with {@link java.util.ServiceLoader} (module {@code io.tessera.executor.spark} provides
 * {@code spark}). An executor receives a {@link io.tessera.pipelines.executor.FanOutJob}: each item as a
 * self-contained pipeline (the step's upstream steps plus the item's step with its config and seed), and hands back
 * one {@link io.tessera.pipelines.executor.ItemOutcome} per item; {@link io.tessera.pipelines.executor.ItemRuns}
 * runs one item pipeline on a worker. See docs/scale-out.md.
 */
package io.tessera.pipelines.executor;
