/**
 * Pipeline extension points. A {@link io.tessera.api.pipeline.Step} is a named operation with a typed record config
 * and declared input and output {@link io.tessera.api.pipeline.Port ports}; pipelines (YAML files) wire steps of
 * different plugins into a DAG. The pipeline engine lives in the host; this package is what plugins implement.
 */
package io.tessera.api.pipeline;
