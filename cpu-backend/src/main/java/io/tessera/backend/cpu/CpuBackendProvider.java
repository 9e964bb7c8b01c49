package io.tessera.backend.cpu;

import io.tessera.api.tensor.Availability;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorBackendProvider;
import io.tessera.api.tensor.spi.TensorKernels;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * The {@code cpu} tensor backend provider: ND4J {@code nd4j-native} with its bundled OpenBLAS. Construction is free;
 * {@link #availability()} loads the natives once and reports, besides whether they load, which OpenBLAS kernels run
 * here (and the {@code OPENBLAS_CORETYPE} fix when OpenBLAS misdetects the CPU).
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class CpuBackendProvider implements TensorBackendProvider {
    /**
     * {@code -Dtessera.cpu.defaultsOnly=true}: the backend runs only its primitive core and every other kernel's
     * default composition (no override), as the conformance suite's defaults-only run does.
     */
    public static final String DEFAULTS_ONLY = "tessera.cpu.defaultsOnly";

    /** The provider name. */
    public static final String NAME = "cpu";

    private volatile Availability availability;
    private volatile Set<String> capabilities;

    /** Used by {@link java.util.ServiceLoader}. */
    public CpuBackendProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /** 10: the fallback every accelerator backend outranks. */
    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Set<String> capabilities() {
        if (capabilities == null) {
            availability();
        }
        return capabilities;
    }

    @Override
    public Availability availability() {
        Availability a = availability;
        if (a == null) {
            synchronized (this) {
                if (availability == null) {
                    probe();
                }
                a = availability;
            }
        }
        return a;
    }

    private void probe() {
        Set<String> caps = new LinkedHashSet<>(Set.of("float32", "float64", "int64", "bool", "autograd", "fft",
                "linalg"));
        try {
            String info = NativeInfo.describe();
            caps.add("blas:openblas");
            if (NativeInfo.hasOneDnn()) {
                caps.add("onednn");
            }
            OpenBlasProbe.Result r = OpenBlasProbe.probe();
            for (String f : r.cpuFlags()) {
                caps.add("cpu:" + f);
            }
            if (r.core() != null) {
                caps.add("openblas-core:" + r.core());
            }
            if (r.misdetected()) {
                caps.add("openblas-core-misdetected");
                caps.add("openblas-core-fix:OPENBLAS_CORETYPE=" + r.suggestion());
            }
            availability = Availability.available(info + "; " + r.note());
        } catch (Throwable t) {
            availability = Availability.unavailable("ND4J's native CPU library did not load (" + t
                    + "); it needs Linux x86_64 with glibc 2.17+ and the org.nd4j:nd4j-native:linux-x86_64 jar on"
                    + " the class path");
        }
        capabilities = Collections.unmodifiableSet(caps);
    }

    /**
     * The CPU kernels themselves, unwrapped, for decorators that wrap a backend's kernels (a profiler timing every
     * kernel call, say) before {@link TensorBackend#of}; plugins use {@link #create()}.
     */
    public TensorKernels createKernels() {
        Availability a = availability();
        if (!a.available()) {
            throw new IllegalStateException("the cpu backend is not available: " + a.reason());
        }
        return new CpuBackend(NAME);
    }

    @Override
    public TensorBackend create() {
        Availability a = availability();
        if (!a.available()) {
            throw new IllegalStateException("the cpu backend is not available: " + a.reason());
        }
        CpuBackend kernels = new CpuBackend(NAME);
        return TensorBackend.of(Boolean.getBoolean(DEFAULTS_ONLY) ? TensorKernels.coreOnly(kernels) : kernels);
    }
}
