/**
 * The pipeline engine behind {@code io.tessera.pipelines}: YAML composed by snakeyaml-engine into nodes that keep line
 * and column, with located, worded syntax errors and refused duplicate keys ({@code YamlTree}), config schemas derived from step records ({@code ConfigSchema}), validation that
 * collects every problem ({@code PipelineValidator}), DAG scheduling ({@code PipelineEngine}), run folders with atomic
 * writes and checkpoints ({@code RunFolder}, {@code AtomicFiles}, {@code StepCheckpoints}), the HTML report with XChart
 * PNGs ({@code ReportWriter}), and the core steps {@code core/train}, {@code core/evaluate}, {@code core/compare},
 * {@code core/export}. Not exported.
 */
package io.tessera.pipelines.internal;
