/**
 * The HTML run report: {@code HtmlRunReporter} (the service), {@code ReportWriter} (model and XChart charts) and the
 * Mustache template {@code report.html.mustache}. Not exported.
 */
package io.tessera.reports.html;
