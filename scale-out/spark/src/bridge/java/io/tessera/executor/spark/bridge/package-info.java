/**
 * The class-path side of the Spark executor: {@link io.tessera.executor.spark.bridge.SparkDriver} submits one Spark
 * job per item, {@link io.tessera.executor.spark.bridge.ItemTask} runs on the executors, and
 * {@link io.tessera.executor.spark.bridge.WorkerHost} builds Tessera's module layers inside an executor JVM once.
 * Nothing here names a Tessera type: values cross as text.
 */
package io.tessera.executor.spark.bridge;
