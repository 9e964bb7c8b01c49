/**
 * The Spark {@link io.tessera.pipelines.executor.ItemExecutor}: reads a step's {@code spark:} settings, finds the
 * jars of Tessera and of Spark, and hands the items to the class-path bridge.
 */
package io.tessera.executor.spark;
