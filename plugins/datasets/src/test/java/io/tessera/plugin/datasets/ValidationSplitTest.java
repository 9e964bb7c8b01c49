package io.tessera.plugin.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.data.ArrayImageDataset;
import io.tessera.api.pipeline.Description;
import io.tessera.testkit.StepHarness;
import io.tessera.testkit.StepRun;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValidationSplitTest {

    private static List<String> images(ArrayImageDataset ds) {
        List<String> out = new ArrayList<>();
        int per = ds.channels() * ds.height() * ds.width();
        for (int i = 0; i < ds.size(); i++) {
            byte[] px = new byte[per];
            for (int p = 0; p < per; p++) {
                px[p] = (byte) ds.rawPixel(i, p);
            }
            out.add(ds.label(i) + ":" + Arrays.hashCode(px) + ":" + i);
        }
        return out;
    }

    private static List<String> withoutIndex(List<String> images) {
        return images.stream().map(s -> s.substring(0, s.lastIndexOf(':'))).sorted().toList();
    }

    @Test
    void carvesADisjointSeededValidationSplitOutOfTheTrainingSplit() throws Exception {
        StepRun run = StepHarness.of(new IdxDatasetStep())
                .config(new IdxDatasetStep.Config("", "fashion-mnist", 0, 200, 7)).run();
        ArrayImageDataset train = run.output("train", ArrayImageDataset.class);
        ArrayImageDataset val = run.output("val", ArrayImageDataset.class);
        ArrayImageDataset test = run.output("test", ArrayImageDataset.class);
        ArrayImageDataset all = IdxDatasetStep.load(new IdxDatasetStep.Config("", "fashion-mnist", 0), Split.TRAIN);
        assertThat(train.size()).isEqualTo(all.size() - 200);
        assertThat(val.size()).isEqualTo(200);
        assertThat(test.size()).isEqualTo(500);
        // together they are exactly the training split: nothing lost, nothing shared
        List<String> union = new ArrayList<>(withoutIndex(images(train)));
        union.addAll(withoutIndex(images(val)));
        assertThat(union.stream().sorted().toList()).isEqualTo(withoutIndex(images(all)));
        // the draw covers several classes, not a block of the file
        assertThat(java.util.stream.IntStream.range(0, val.size()).map(val::label).distinct().count())
                .isGreaterThan(5);
    }

    @Test
    void drawsTheSameSplitForTheSameSeedAndAnotherForAnother() throws Exception {
        ArrayImageDataset all = IdxDatasetStep.load(new IdxDatasetStep.Config("", "mnist", 300), Split.TRAIN);
        List<String> a = images(ValidationSplit.draw(all, 50, 1).val());
        List<String> b = images(ValidationSplit.draw(all, 50, 1).val());
        List<String> c = images(ValidationSplit.draw(all, 50, 2).val());
        assertThat(a).isEqualTo(b);
        assertThat(withoutIndex(a)).isNotEqualTo(withoutIndex(c));
    }

    @Test
    void leavesValEmptyByDefaultAndRefusesASplitThatLeavesNoTrainingImage() throws Exception {
        StepRun run = StepHarness.of(new IdxDatasetStep()).config(new IdxDatasetStep.Config("", "mnist", 100))
                .run();
        assertThat(run.output("val", ArrayImageDataset.class).size()).isZero();
        assertThat(run.output("train", ArrayImageDataset.class).size()).isEqualTo(100);
        assertThatThrownBy(() -> StepHarness.of(new IdxDatasetStep())
                .config(new IdxDatasetStep.Config("", "mnist", 100, 100, 0)).run())
                .hasMessage("val_size 100 leaves no training image: the training split has 100 (after limit); "
                        + "choose a val_size below 100");
    }

    @Test
    void describesEveryConfigKey() {
        RecordComponent[] components = IdxDatasetStep.Config.class.getRecordComponents();
        assertThat(components).as("config keys").hasSizeGreaterThanOrEqualTo(5);
        for (RecordComponent c : components) {
            assertThat(c.getAnnotation(Description.class)).as(c.getName()).isNotNull();
            assertThat(c.getAnnotation(Description.class).value()).as(c.getName()).isNotBlank();
        }
    }
}
