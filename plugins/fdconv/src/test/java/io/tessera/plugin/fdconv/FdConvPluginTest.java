package io.tessera.plugin.fdconv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.pipeline.Step;
import io.tessera.api.plugin.Plugin;
import io.tessera.training.TrainingOptions;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class FdConvPluginTest {

    @Test
    void pluginIsDiscoverableThroughItsServiceEntry() {
        assertThat(ServiceLoader.load(Plugin.class).stream().map(ServiceLoader.Provider::type))
                .contains(FdConvPlugin.class);
    }

    @Test
    void trainClassifierStepIsDiscoverableWithItsDefaults() {
        assertThat(ServiceLoader.load(Step.class).stream().map(ServiceLoader.Provider::type))
                .contains(TrainClassifierStep.class);
        TrainClassifierStep step = new TrainClassifierStep();
        assertThat(step.name()).isEqualTo("fdconv/train-classifier");
        TrainClassifierStep.Config c = step.defaultConfig();
        CnnVariant v = c.variant();
        assertThat(v.layer()).isEqualTo(CnnVariant.Layer.FDCONV);
        assertThat(v.replace()).containsExactly("conv2");
        assertThat(v.fdconv().kernelNum()).isEqualTo(4);
        assertThat(v.fdconv().useFbmIfKIn()).containsExactly(3);
        assertThat(v.fdconv().useKsmLocal()).isTrue();
        assertThat(c.training()).isEqualTo(TrainingOptions.defaults());
        assertThatThrownBy(() -> new TrainClassifierStep.Config(CnnVariant.Layer.CONDCONV, List.of(), 4, true, true,
                4, CondConv2d.Routing.SIGMOID, -1, TrainingOptions.defaults()))
                .hasMessageContaining("replace is empty");
        assertThatThrownBy(() -> new TrainClassifierStep.Config(CnnVariant.Layer.FDCONV, List.of("conv2"), 4, true,
                true, 4, CondConv2d.Routing.SIGMOID, -1, TrainingOptions.defaults().withBatchSize(1)))
                .hasMessageContaining("training.batch_size is 1");
    }

    @Test
    void defaultsAreTheOfficialHyperparameters() {
        FDConvOptions o = FDConvOptions.defaults();
        assertThat(o.kernelNum()).isEqualTo(4);
        assertThat(o.kernelNumFor(64)).isEqualTo(4);
        assertThat(o.tempFor(64)).isEqualTo(1.0);
        assertThat(o.useFdconvIfCGt()).isEqualTo(16);
        assertThat(o.useFdconvIfKIn()).containsExactly(1, 3);
        assertThat(o.useFbmIfKIn()).containsExactly(3);
        assertThat(o.fbm().kList()).containsExactly(2, 4, 8);
        assertThat(FDConvOptions.officialCoco().kernelNum()).isEqualTo(64);
        // kernel_num=None: Cout/2 groups and kernel temperature sqrt(kn)
        FDConvOptions auto = o.toBuilder().kernelNum(FDConvOptions.AUTO_KERNEL_NUM).build();
        assertThat(auto.kernelNumFor(64)).isEqualTo(32);
        assertThat(auto.kernelTempFor(64)).isEqualTo(Math.sqrt(32));
        assertThat(auto.tempFor(64)).isEqualTo(Math.sqrt(32));
    }
}
