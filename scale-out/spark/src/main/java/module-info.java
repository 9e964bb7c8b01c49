/**
 * {@code executor: spark} for fan-out steps (docs/scale-out.md): the items of a step run as Spark tasks. Spark lives on
 * the class path, Tessera in module layers: this named module only provides the
 * {@link io.tessera.pipelines.executor.ItemExecutor} and reaches Spark through the class-path bridge of its jar
 * (package {@code io.tessera.executor.spark.bridge}, loaded by a loader that also holds Spark), passing text and
 * {@code java.*} values only. On each executor JVM the bridge builds the API/host/plugin layers from the jars Spark
 * shipped to it, once, and runs every item on one cached host.
 */
module io.tessera.executor.spark {
    requires io.tessera.pipelines;
    requires static org.apiguardian.api;

    provides io.tessera.pipelines.executor.ItemExecutor with io.tessera.executor.spark.SparkItemExecutor;
}
