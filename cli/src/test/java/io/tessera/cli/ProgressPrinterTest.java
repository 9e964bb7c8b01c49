package io.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.pipelines.PipelineEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The plain-line progress output, on a clock the test moves. */
class ProgressPrinterTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void throughputAfterAnEpochRolloverCountsOnlyTheWorkSinceTheRollover() {
        AtomicLong clock = new AtomicLong(1_000 * SECOND);
        StringWriter text = new StringWriter();
        ProgressPrinter printer = new ProgressPrinter(new PrintWriter(text, true), ProgressPrinter.Mode.LINES, 100,
                clock::get);
        printer.onEvent(new PipelineEvent.StepStarted("train", "core/train", 1, 1));
        clock.addAndGet(10 * SECOND);
        printer.onEvent(new PipelineEvent.StepProgress("train", 800, 800, "epoch 1/2"));
        // the next epoch's first report arrives with 50 done already
        clock.addAndGet(SECOND / 1000);
        printer.onEvent(new PipelineEvent.StepProgress("train", 50, 800, "epoch 2/2"));
        clock.addAndGet(10 * SECOND);
        printer.onEvent(new PipelineEvent.StepProgress("train", 450, 800, "epoch 2/2"));

        String[] lines = text.toString().strip().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).isEqualTo("[1/1] train (core/train) started");
        assertThat(lines[1]).contains("800/800  80/s");
        // 400 images in the 10 s since the rollover: 40/s (counting the 50 before the window started gave 45/s,
        // and at the rollover itself rates in the millions)
        assertThat(lines[2]).contains("450/800  40/s  ETA 0:09").contains("epoch 2/2");
    }
}
