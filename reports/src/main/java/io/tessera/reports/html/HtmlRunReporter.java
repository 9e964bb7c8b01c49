package io.tessera.reports.html;

import io.tessera.pipelines.report.RunReporter;
import io.tessera.pipelines.report.RunSummary;
import java.io.IOException;

/** The {@code report.html} reporter the pipelines engine finds with {@link java.util.ServiceLoader}. */
public final class HtmlRunReporter implements RunReporter {

    /** Called by {@link java.util.ServiceLoader}. */
    public HtmlRunReporter() {
    }

    @Override
    public void write(RunSummary run) throws IOException {
        new ReportWriter(run).write();
    }
}
