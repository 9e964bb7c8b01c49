/**
 * Tessera run reports: {@code report.html} with PNG charts (training curves, comparisons, confusion matrices,
 * timings) for every pipeline run, provided to the pipelines engine as a
 * {@link io.tessera.pipelines.report.RunReporter}. The page is a Mustache template (JMustache, a 80 KB module with no
 * dependencies) filled from a model of tables and figures; the charts are drawn headless with XChart on
 * {@code java.desktop}. Only runs need this module: the runtime, validation and the other commands never load it.
 */
module io.tessera.reports {
    requires io.tessera.pipelines;
    requires com.samskivert.jmustache;
    requires com.fasterxml.jackson.databind;
    requires org.knowm.xchart;
    requires java.desktop;

    provides io.tessera.pipelines.report.RunReporter with io.tessera.reports.html.HtmlRunReporter;
}
