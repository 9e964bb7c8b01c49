package io.tessera.pipelines.internal;

import io.tessera.api.pipeline.Step;
import java.util.List;

/** The steps the host itself provides: {@code core/train}, {@code core/evaluate}, {@code core/compare}, {@code core/export}. */
final class CoreSteps {
    private static final List<Step<?>> ALL = List.of(new TrainStep(), new EvaluateStep(), new CompareStep(),
            new ExportStep());

    private CoreSteps() {
    }

    static List<Step<?>> all() {
        return ALL;
    }
}
