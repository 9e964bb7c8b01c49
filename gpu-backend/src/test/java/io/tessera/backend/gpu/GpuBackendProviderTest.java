package io.tessera.backend.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.tensor.Availability;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Availability is honest and never throws; what the library scan reports. */
class GpuBackendProviderTest {

    @Test
    void reportsWhatItFoundAndNeverThrows() {
        GpuBackendProvider p = new GpuBackendProvider();
        assertThat(p.name()).isEqualTo("gpu");
        assertThat(p.priority()).isGreaterThanOrEqualTo(100);
        Availability a = p.availability();
        assertThat(p.availability()).as("probed once").isSameAs(a);
        System.out.println("[gpu] available=" + a.available() + ": " + a.reason());
        List<NativeLibraries.Found> libs = NativeLibraries.scan();
        libs.forEach(f -> System.out.println("[gpu] " + f));
        if (libs.get(0).path().isEmpty()) {
            assertThat(a.available()).isFalse();
            assertThat(a.reason()).contains("no NVIDIA driver").contains("libcuda.so.1");
        } else if (libs.stream().anyMatch(f -> f.path().isEmpty())) {
            assertThat(a.available()).isFalse();
            assertThat(a.reason()).contains("missing CUDA libraries");
        }
        if (!a.available()) {
            assertThatThrownBy(p::create).isInstanceOf(IllegalStateException.class)
                    .hasMessage("the gpu backend is not available: " + a.reason());
        }
    }

    @Test
    void looksForTheLibrariesOfTheBundledBindings() {
        assertThat(NativeLibraries.bindingsVersion()).matches("\\d+\\.\\d+-\\d+\\.\\d+-1\\.5\\.\\d+");
        assertThat(NativeLibraries.required().values()).contains("libcuda.so.1",
                "libcudart.so." + NativeLibraries.cudaMajor(), "libcublas.so." + NativeLibraries.cudaMajor(),
                "libnvrtc.so." + NativeLibraries.cudaMajor(), "libcudnn.so." + NativeLibraries.cudnnMajor());
    }

    @Test
    void aLibraryFolderNamedByPropertyIsSearchedFirst(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Files.writeString(dir.resolve("libtessera-probe.so.1"), "");
        String old = System.getProperty(NativeLibraries.LIBRARY_PATH);
        System.setProperty(NativeLibraries.LIBRARY_PATH, dir.toString());
        try {
            assertThat(NativeLibraries.searchPath().get(0)).isEqualTo(dir);
            assertThat(NativeLibraries.find("libtessera-probe.so.1")).contains(dir.resolve("libtessera-probe.so.1"));
            assertThat(NativeLibraries.find("libtessera-nothing.so.7")).isEmpty();
        } finally {
            if (old == null) {
                System.clearProperty(NativeLibraries.LIBRARY_PATH);
            } else {
                System.setProperty(NativeLibraries.LIBRARY_PATH, old);
            }
        }
    }
}
