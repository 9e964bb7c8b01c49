package io.tessera.pipelines;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * What happens during a pipeline run, in order: {@link RunStarted}, then per step {@link StepStarted}, any number of
 * {@link StepProgress}, {@link EpochFinished}, {@link CheckpointSaved} and
 * {@link CheckpointSkipped}, and {@link StepFinished} or
 * {@link StepFailed}; finally {@link RunFinished}. The run folder's {@code events.jsonl} holds all but the progress
 * events, one JSON object a line; {@code tessera run --json} prints all of them.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public sealed interface PipelineEvent {

    /** The event's type as in {@code events.jsonl}: {@code run-start}, {@code step-end}, ... */
    String type();

    /**
     * The run began (or resumed).
     *
     * @param pipeline     the pipeline's name
     * @param runDirectory the run folder
     * @param backend      the tensor backend of the run, or {@code none} when none could be selected
     * @param steps        the step ids, in the order they are scheduled
     * @param resumed      whether this continues an earlier, incomplete run
     * @param backendWhy   why that backend: named by whom, or the highest-priority available one and which
     *                     higher-priority backends were passed over with their reasons ({@code auto} falling back);
     *                     empty when unknown
     */
    record RunStarted(String pipeline, Path runDirectory, String backend, List<String> steps, boolean resumed,
                      String backendWhy) implements PipelineEvent {
        /** Without the reason for the backend. */
        public RunStarted(String pipeline, Path runDirectory, String backend, List<String> steps, boolean resumed) {
            this(pipeline, runDirectory, backend, steps, resumed, "");
        }

        @Override
        public String type() {
            return resumed ? "run-resume" : "run-start";
        }
    }

    /**
     * A step began.
     *
     * @param step  the step id
     * @param uses  the step type
     * @param index its position in the schedule, from 1
     * @param count the number of steps
     */
    record StepStarted(String step, String uses, int index, int count) implements PipelineEvent {
        @Override
        public String type() {
            return "step-start";
        }
    }

    /**
     * Progress inside a step.
     *
     * @param step    the step id
     * @param done    units done ({@code -1} when unknown)
     * @param total   total units, or {@code -1} when unknown
     * @param message a short status, e.g. {@code epoch 2/3 loss 0.41}
     */
    record StepProgress(String step, long done, long total, String message) implements PipelineEvent {
        @Override
        public String type() {
            return "progress";
        }
    }

    /**
     * A training epoch ended.
     *
     * @param step    the step id
     * @param epoch   the epoch, from 1
     * @param epochs  the number of epochs
     * @param metrics its metrics ({@code train_loss}, {@code val_accuracy}, {@code lr})
     */
    record EpochFinished(String step, int epoch, int epochs, Map<String, Double> metrics) implements PipelineEvent {
        @Override
        public String type() {
            return "epoch";
        }
    }

    /**
     * A step saved a checkpoint.
     *
     * @param step     the step id
     * @param position the checkpoint's position (the optimizer step for {@code core/train})
     * @param folder   the checkpoint folder
     */
    record CheckpointSaved(String step, long position, Path folder) implements PipelineEvent {
        @Override
        public String type() {
            return "checkpoint";
        }
    }

    /**
     * A checkpoint failed its integrity check (a file missing, truncated or changed since it was saved, per its
     * {@code checkpoint.sha256}), so the step continues from an older one, or from the start if none is intact. The
     * skipped folder is kept, renamed to {@code corrupt-<name>}, for inspection.
     *
     * @param step   the step id
     * @param folder the checkpoint folder as it was named when it was found corrupt
     * @param reason what is wrong with it
     * @param movedTo where it was moved (or {@code folder} if it could not be moved)
     */
    record CheckpointSkipped(String step, Path folder, String reason, Path movedTo) implements PipelineEvent {
        @Override
        public String type() {
            return "checkpoint-skipped";
        }
    }

    /**
     * A step finished.
     *
     * @param step    the step id
     * @param seconds how long it ran
     * @param metrics the final metrics it recorded
     */
    record StepFinished(String step, double seconds, Map<String, Double> metrics) implements PipelineEvent {
        @Override
        public String type() {
            return "step-end";
        }
    }

    /**
     * A step failed; the run stops.
     *
     * @param step    the step id
     * @param seconds how long it ran
     * @param message what went wrong
     */
    record StepFailed(String step, double seconds, String message) implements PipelineEvent {
        @Override
        public String type() {
            return "step-failed";
        }
    }

    /**
     * The run ended.
     *
     * @param status       how it ended
     * @param seconds      wall time of this invocation
     * @param runDirectory the run folder
     * @param message      the failure, or empty
     */
    record RunFinished(RunStatus status, double seconds, Path runDirectory, String message)
            implements PipelineEvent {
        @Override
        public String type() {
            return "run-end";
        }
    }
}
