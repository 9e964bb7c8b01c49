package io.tessera.plugin.fdconv;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.plugin.Plugin;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class FdConvPluginTest {

    @Test
    void pluginIsDiscoverableThroughItsServiceEntry() {
        assertThat(ServiceLoader.load(Plugin.class).stream().map(ServiceLoader.Provider::type))
                .contains(FdConvPlugin.class);
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
