package io.tessera.backend.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.tensor.Availability;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorBackendProvider;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.backend.gpu.cuda.CudaProbe;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Both backends in one JVM, as the distribution runs them: ND4J's CPU backend (built against JavaCPP 1.5.7) and this
 * backend (JavaCPP 1.5.13 and its CUDA bindings). Maven resolves one JavaCPP, the newer one; these tests measure that
 * ND4J runs on it and that the CUDA bindings load beside ND4J's natives.
 */
class CoexistenceTest {

    private static Map<String, TensorBackendProvider> providers() {
        Map<String, TensorBackendProvider> m = new LinkedHashMap<>();
        ServiceLoader.load(TensorBackendProvider.class).forEach(p -> m.put(p.name(), p));
        return m;
    }

    private static void cpuComputes() {
        try (TensorBackend cpu = providers().get("cpu").create(); TensorScope s = Tensors.scope()) {
            Tensor a = cpu.tensor(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor b = cpu.tensor(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
            assertThat(a.matmul(b).toFloatArray()).containsExactly(4, 5, 10, 11);
            Tensor x = cpu.tensor(new float[16], 1, 1, 4, 4).add(1);
            Tensor w = cpu.tensor(new float[] {1, 1, 1, 1}, 1, 1, 2, 2);
            assertThat(Functional.conv2d(x, w, null, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1).toFloatArray()).containsOnly(4f);
        }
    }

    @Test
    void bothProvidersAreFoundAndTheGpuOneSaysWhy() {
        Map<String, TensorBackendProvider> m = providers();
        assertThat(m).containsKeys("cpu", "gpu");
        assertThat(m.get("gpu").priority()).isGreaterThan(m.get("cpu").priority());
        Availability gpu = m.get("gpu").availability();
        System.out.println("[coexistence] gpu: available=" + gpu.available() + ", reason: " + gpu.reason());
        System.out.println("[coexistence] cpu: " + m.get("cpu").availability());
        assertThat(gpu.reason()).isNotBlank();
        assertThat(m.get("cpu").isAvailable()).isTrue();
        if (!gpu.available()) {
            assertThatThrownBy(() -> m.get("gpu").create()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(gpu.reason());
        }
        cpuComputes();
    }

    @Test
    void nd4jRunsOnTheNewerJavaCppAndTheCudaBindingsLoadBesideIt() throws Exception {
        cpuComputes();
        String javacpp = Loader.getVersion();
        System.out.println("[coexistence] JavaCPP on the class path: " + javacpp + "; CUDA bindings "
                + NativeLibraries.bindingsVersion());
        assertThat(javacpp).isEqualTo(NativeLibraries.bindingsVersion().replaceAll(".*-", ""));
        // every CUDA binding class inherits cudart, whose JNI library links libcuda.so.1 (the driver): the native
        // half needs a machine with the NVIDIA driver. Without it, the check above is the measurement: ND4J runs on
        // JavaCPP 1.5.13's Loader (it loads ND4J's and OpenBLAS's 1.5.7 natives).
        Assumptions.assumeTrue(NativeLibraries.find("libcuda.so.1").isPresent(), () -> {
            String why = "skipped the CUDA half: no libcuda.so.1 (NVIDIA driver) on this machine";
            System.out.println("[coexistence] " + why);
            return why;
        });
        CudaProbe.loadRuntime();
        System.out.println("[coexistence] cudart bindings loaded beside ND4J; driver CUDA " + CudaProbe.driverVersion());
        System.out.println("[coexistence] NVRTC " + io.tessera.backend.gpu.cuda.Nvrtc.load() + " loaded");
        cpuComputes();
    }
}
