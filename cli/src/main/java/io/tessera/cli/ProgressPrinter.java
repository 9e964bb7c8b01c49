package io.tessera.cli;

import io.tessera.pipelines.internal.EventJson;
import io.tessera.pipelines.PipelineEvent;
import io.tessera.pipelines.PipelineListener;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Shows a pipeline run on the terminal. {@link Mode#BARS}: a live block with one progress bar per running step
 * (done/total, percent, throughput, ETA, the step's message: epoch and loss) above which finished steps, epochs and
 * checkpoints scroll; {@link Mode#LINES}: plain lines for logs and CI (progress at most every 10 s per step);
 * {@link Mode#JSON}: every event as one JSON object a line; {@link Mode#QUIET}: nothing.
 */
final class ProgressPrinter implements PipelineListener {

    enum Mode { BARS, LINES, JSON, QUIET }

    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long LINE_NANOS = 10_000_000_000L;
    private static final int BAR = 24;

    private final PrintWriter out;
    private final Mode mode;
    private final int width;
    private final Map<String, Bar> bars = new LinkedHashMap<>();
    private final LongSupplier clock;
    private int drawnLines;
    private long lastDraw;

    /** The state of one running step's bar. */
    private static final class Bar {
        final String label;
        long done = -1;
        long total = -1;
        String message = "";
        long windowStart;
        long windowDone;
        long lastLine;

        Bar(String label, long now) {
            this.label = label;
            this.windowStart = now;
            this.lastLine = now;
        }
    }

    ProgressPrinter(PrintWriter out, Mode mode, int width) {
        this(out, mode, width, System::nanoTime);
    }

    /** With {@code clock} (nanoseconds, like {@link System#nanoTime()}) for the throughput and redraw timing. */
    ProgressPrinter(PrintWriter out, Mode mode, int width, LongSupplier clock) {
        this.out = out;
        this.mode = mode;
        this.width = Math.max(60, width);
        this.clock = clock;
    }

    @Override
    public synchronized void onEvent(PipelineEvent event) {
        switch (mode) {
            case QUIET -> {
            }
            case JSON -> {
                out.println(EventJson.line(event, Instant.now()));
                out.flush();
            }
            case LINES, BARS -> human(event);
        }
    }

    private void human(PipelineEvent event) {
        if (event instanceof PipelineEvent.StepProgress p) {
            Bar bar = bars.get(p.step());
            if (bar == null) {
                return;
            }
            long now = clock.getAsLong();
            if (p.done() < bar.done) {
                // a new epoch restarts the count: restart the throughput window too, from the count reported now
                // (the first report of an epoch already has work done in it, over an unknown time)
                bar.windowStart = now;
                bar.windowDone = p.done();
            }
            bar.done = p.done();
            bar.total = p.total();
            bar.message = p.message();
            if (mode == Mode.BARS) {
                if (now - lastDraw >= REDRAW_NANOS || p.done() == p.total()) {
                    redraw();
                }
            } else if (now - bar.lastLine >= LINE_NANOS) {
                bar.lastLine = now;
                out.println(bar.label + ": " + status(bar, now));
                out.flush();
            }
            return;
        }
        String line = null;
        if (event instanceof PipelineEvent.RunStarted r) {
            line = (r.resumed() ? "resuming " : "running ") + r.pipeline() + " on backend " + r.backend() + " ("
                    + r.steps().size() + " steps) into " + r.runDirectory();
        } else if (event instanceof PipelineEvent.StepStarted s) {
            Bar bar = new Bar("[" + s.index() + "/" + s.count() + "] " + s.step(), clock.getAsLong());
            bars.put(s.step(), bar);
            line = bar.label + " (" + s.uses() + ") started";
        } else if (event instanceof PipelineEvent.EpochFinished e) {
            StringBuilder b = new StringBuilder(label(e.step()) + " epoch " + e.epoch() + "/" + e.epochs());
            e.metrics().forEach((k, v) -> b.append("  ").append(k).append(' ').append(number(v)));
            line = b.toString();
        } else if (event instanceof PipelineEvent.CheckpointSaved c) {
            line = label(c.step()) + " checkpoint at step " + c.position();
        } else if (event instanceof PipelineEvent.CheckpointSkipped k) {
            line = label(k.step()) + " WARNING: checkpoint " + k.folder().getFileName() + " is corrupt (" + k.reason()
                    + "); skipped it (kept as " + k.movedTo() + ") and resuming from the previous intact one";
        } else if (event instanceof PipelineEvent.StepFinished f) {
            StringBuilder b = new StringBuilder(label(f.step()) + String.format(Locale.ROOT, " done in %.1f s",
                    f.seconds()));
            f.metrics().forEach((k, v) -> {
                if (!k.contains("/")) {
                    b.append("  ").append(k).append(' ').append(number(v));
                }
            });
            bars.remove(f.step());
            line = b.toString();
        } else if (event instanceof PipelineEvent.StepFailed f) {
            line = label(f.step()) + " FAILED after " + String.format(Locale.ROOT, "%.1f s", f.seconds()) + ": "
                    + f.message();
            bars.remove(f.step());
        } else if (event instanceof PipelineEvent.RunFinished r) {
            line = r.status().name().toLowerCase(Locale.ROOT) + " in " + String.format(Locale.ROOT, "%.1f s",
                    r.seconds());
        }
        if (line != null) {
            if (mode == Mode.BARS) {
                clearBlock();
                out.println(line);
                redraw();
            } else {
                out.println(line);
            }
            out.flush();
        }
    }

    private String label(String step) {
        Bar bar = bars.get(step);
        return bar == null ? step : bar.label;
    }

    private void clearBlock() {
        if (drawnLines > 0) {
            out.print("\033[" + drawnLines + "A");
            for (int i = 0; i < drawnLines; i++) {
                out.print("\r\033[K\n");
            }
            out.print("\033[" + drawnLines + "A");
            drawnLines = 0;
        }
    }

    private void redraw() {
        long now = clock.getAsLong();
        lastDraw = now;
        if (drawnLines > 0) {
            out.print("\033[" + drawnLines + "A");
        }
        int lines = 0;
        for (Bar bar : bars.values()) {
            String text = bar.label + "  " + status(bar, now);
            if (text.length() > width - 1) {
                text = text.substring(0, width - 1);
            }
            out.print("\r\033[K" + text + "\n");
            lines++;
        }
        for (int i = lines; i < drawnLines; i++) {
            out.print("\r\033[K\n");
        }
        if (drawnLines > lines) {
            out.print("\033[" + (drawnLines - lines) + "A");
        }
        drawnLines = lines;
        out.flush();
    }

    /** {@code ████████░░░░  62%  640/1000  1234/s  ETA 0:03  epoch 2/3 loss 0.41}. */
    private String status(Bar bar, long now) {
        if (bar.done < 0) {
            return bar.message.isEmpty() ? "running" : bar.message;
        }
        StringBuilder s = new StringBuilder();
        double secs = (now - bar.windowStart) / 1e9;
        double rate = secs > 0 ? (bar.done - bar.windowDone) / secs : 0;
        if (bar.total > 0) {
            double f = Math.min(1, bar.done / (double) bar.total);
            int full = (int) Math.round(f * BAR);
            if (mode == Mode.BARS) {
                s.append("█".repeat(full)).append("░".repeat(BAR - full)).append(' ');
            }
            s.append(String.format(Locale.ROOT, "%3d%%  %d/%d", Math.round(f * 100), bar.done, bar.total));
            if (rate > 0) {
                long eta = Math.round((bar.total - bar.done) / rate);
                s.append(String.format(Locale.ROOT, "  %.0f/s  ETA %d:%02d", rate, eta / 60, eta % 60));
            }
        } else {
            s.append(bar.done);
        }
        if (!bar.message.isEmpty()) {
            s.append("  ").append(bar.message);
        }
        return s.toString();
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e12) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
