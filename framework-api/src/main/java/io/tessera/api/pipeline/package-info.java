/**
 * Pipeline extension points. A {@link io.tessera.api.pipeline.Step} is a named operation with a typed record config
 * and declared input and output {@link io.tessera.api.pipeline.Port ports}; pipelines (YAML files) wire steps of
 * different plugins into a DAG. The pipeline engine lives in the host; this package is what plugins implement, plus
 * {@link io.tessera.api.pipeline.ClassifierTraining}, the training loop of {@code core/train} for steps that train
 * their own image classifiers (checkpoints and resume included).
 */
package io.tessera.api.pipeline;
