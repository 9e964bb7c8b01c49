/**
 * The run-report SPI: {@link io.tessera.pipelines.report.RunReporter}, found with {@code ServiceLoader}, turns a
 * finished run's {@link io.tessera.pipelines.report.RunSummary} into a report (module {@code io.tessera.reports}
 * writes {@code report.html} with charts). Keeps templates and chart libraries out of the pipelines library.
 */
package io.tessera.pipelines.report;
