package io.tessera.pipelines.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The folder of one run, {@code runs/<UTC timestamp>-<name>/}:
 *
 * <pre>
 * INCOMPLETE        present from the first moment until the run succeeds (a killed run keeps it)
 * pipeline.yaml     the resolved pipeline: every step with its full config
 * run.json          status, backend, timings per step
 * .lock             locked by the run or resume writing the folder ({@link RunFolderLock}); names the holder
 * events.jsonl      step start/end, epochs, checkpoints: one JSON object a line
 * metrics.json      final metrics and per-epoch history of every step
 * curves.json       the curves steps recorded (batch loss, ...)
 * logs/             run.log and one log per step
 * steps/&lt;id&gt;/       each step's work folder
 * checkpoints/&lt;id&gt;/ each step's checkpoints, each with its checkpoint.sha256 ({@link StepCheckpoints})
 * weights/          exported weights (safetensors)
 * report.html       the report, with its charts in report/
 * </pre>
 */
final class RunFolder {
    static final String INCOMPLETE = "INCOMPLETE";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final Path dir;

    private RunFolder(Path dir) {
        this.dir = dir;
    }

    /** Creates a new, unique run folder under {@code root} and marks it incomplete before anything else. */
    static RunFolder create(Path root, String name, Instant now) throws IOException {
        Files.createDirectories(root);
        String base = STAMP.format(now) + "-" + name;
        for (int i = 1; ; i++) {
            Path candidate = root.resolve(i == 1 ? base : base + "-" + i);
            try {
                Files.createDirectory(candidate);
            } catch (FileAlreadyExistsException e) {
                continue;
            }
            RunFolder folder = new RunFolder(candidate);
            folder.markIncomplete("this run has not finished (started " + now + ")");
            return folder;
        }
    }

    /**
     * An existing, incomplete run folder to resume.
     *
     * @throws IllegalArgumentException when it is not a run folder or already complete
     */
    static RunFolder openForResume(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--resume " + dir + ": no such folder; give a run folder such as"
                    + " runs/20260101T120000Z-quickstart");
        }
        RunFolder f = new RunFolder(dir);
        if (!Files.isRegularFile(f.pipelineYaml()) || !Files.isRegularFile(f.runJson())) {
            throw new IllegalArgumentException("--resume " + dir + ": not a run folder (it has no pipeline.yaml and"
                    + " run.json)");
        }
        if (!Files.exists(f.incompleteMarker())) {
            throw new IllegalArgumentException("--resume " + dir + ": this run already finished successfully;"
                    + " there is nothing to resume (start a new run without --resume)");
        }
        return f;
    }

    Path dir() {
        return dir;
    }

    Path incompleteMarker() {
        return dir.resolve(INCOMPLETE);
    }

    Path pipelineYaml() {
        return dir.resolve("pipeline.yaml");
    }

    Path runJson() {
        return dir.resolve("run.json");
    }

    Path events() {
        return dir.resolve("events.jsonl");
    }

    Path metricsJson() {
        return dir.resolve("metrics.json");
    }

    Path curvesJson() {
        return dir.resolve("curves.json");
    }

    Path logs() {
        return dir.resolve("logs");
    }

    Path stepDir(String id) {
        return dir.resolve("steps").resolve(id);
    }

    Path checkpoints(String id) {
        return dir.resolve("checkpoints").resolve(id);
    }

    Path weights() {
        return dir.resolve("weights");
    }

    Path report() {
        return dir.resolve("report.html");
    }

    Path reportAssets() {
        return dir.resolve("report");
    }

    void markIncomplete(String text) throws IOException {
        AtomicFiles.writeString(incompleteMarker(), text + "\nResume with: tessera run <pipeline file> --resume "
                + dir + "\n");
    }

    void markComplete() throws IOException {
        Files.deleteIfExists(incompleteMarker());
    }
}
