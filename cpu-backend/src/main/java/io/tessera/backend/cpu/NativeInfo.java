package io.tessera.backend.cpu;

import io.tessera.backend.cpu.kernels.Conv2dKernels;
import java.util.Properties;
import org.nd4j.linalg.factory.Nd4j;

/** Facts about the loaded ND4J natives, for the availability report. */
final class NativeInfo {
    static {
        Module self = NativeInfo.class.getModule();
        if (self.isNamed()) {
            self.addReads(NativeInfo.class.getClassLoader().getUnnamedModule());
        }
    }

    private NativeInfo() {
    }

    /** Loads the natives (throws when they cannot load) and describes them in one line. */
    static String describe() {
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        String version = Nd4j.class.getPackage().getImplementationVersion();
        return "ND4J " + (version == null ? "1.0.0-M2.1" : version) + " nd4j-native on " + env.get("cores")
                + " cores, " + env.getOrDefault("omp.threads", "?") + " OpenMP threads, BLAS "
                + env.getOrDefault("blas.vendor", "?") + (hasOneDnn() ? " with oneDNN" : "");
    }

    static boolean hasOneDnn() {
        return Conv2dKernels.nativeHasOneDnn();
    }
}
