package io.tessera.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.tensor.Availability;
import io.tessera.api.tensor.TensorBackendProvider;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CpuBackendProviderTest {
    @Test
    void isFoundByServiceLoaderOnTheClassPath() {
        assertThat(ServiceLoader.load(TensorBackendProvider.class).stream().map(ServiceLoader.Provider::type))
                .contains(CpuBackendProvider.class);
    }

    @Test
    void reportsAvailabilityWithTheOpenBlasCore() {
        CpuBackendProvider p = new CpuBackendProvider();
        Availability a = p.availability();
        assertThat(a.available()).isTrue();
        assertThat(a.reason()).contains("ND4J").contains("OpenBLAS");
        assertThat(p.capabilities()).contains("float32", "blas:openblas");
        assertThat(p.name()).isEqualTo("cpu");
    }

    @Test
    void namesTheFixWhenOpenBlasRunsGenericKernelsOnAnAvx512Cpu() {
        OpenBlasProbe.Result r = OpenBlasProbe.evaluate("Prescott", null, Set.of("avx2", "avx512f"));
        assertThat(r.misdetected()).isTrue();
        assertThat(r.note()).contains("Prescott").contains("OPENBLAS_CORETYPE=SkylakeX");
        assertThat(OpenBlasProbe.evaluate("Sandybridge", null, Set.of("avx2")).suggestion()).isEqualTo("Haswell");
    }

    @Test
    void acceptsMatchingCoresAndNeverOverridesAUserChoice() {
        assertThat(OpenBlasProbe.evaluate("SkylakeX", null, Set.of("avx2", "avx512f")).misdetected()).isFalse();
        OpenBlasProbe.Result user = OpenBlasProbe.evaluate("Prescott", "Prescott", Set.of("avx512f"));
        assertThat(user.misdetected()).isFalse();
        assertThat(user.note()).contains("set by OPENBLAS_CORETYPE=Prescott");
    }
}
