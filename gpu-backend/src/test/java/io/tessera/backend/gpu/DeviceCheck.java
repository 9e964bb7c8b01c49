package io.tessera.backend.gpu;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The GPU tests without Maven, for {@code device-check.sh} on a GPU machine with no network: runs the test classes
 * named on the command line (default: every GPU test) through the JUnit launcher and prints a summary with
 * {@code N passed, N failed, N skipped}. Exit status 0 only when nothing failed.
 */
public final class DeviceCheck {
    private DeviceCheck() {
    }

    static final String[] DEFAULT = {"io.tessera.backend.gpu.GpuBackendProviderTest",
            "io.tessera.backend.gpu.DeviceAllocatorTest", "io.tessera.backend.gpu.KernelSourcesCompileTest",
            "io.tessera.backend.gpu.GpuConformanceTest", "io.tessera.backend.gpu.GpuCoreOnlyConformanceTest",
            "io.tessera.backend.gpu.GpuCnnTrainingTest"};

    /** Runs the named test classes. */
    public static void main(String[] args) throws Exception {
        String[] classes = args.length == 0 ? DEFAULT : args;
        LauncherDiscoveryRequestBuilder b = LauncherDiscoveryRequestBuilder.request();
        boolean gpu = new GpuBackendProvider().isAvailable();
        for (String c : classes) {
            if (!c.startsWith("io.tessera.backend.gpu.") && !gpu) {
                // tests of other modules run on the gpu by -Dtessera.test.backend=gpu, and would fail without one
                System.out.println("[gpu] skipped " + c + ": " + new GpuBackendProvider().availability().reason());
                continue;
            }
            b.selectors(selectClass(Class.forName(c)));
        }
        LauncherDiscoveryRequest request = b.build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        TestExecutionSummary s = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        s.printFailuresTo(out, 20);
        s.printTo(out);
        long passed = s.getTestsSucceededCount();
        long failed = s.getTestsFailedCount() + s.getTestsAbortedCount() * 0;
        long skipped = s.getTestsSkippedCount() + s.getTestsAbortedCount();
        out.println(passed + " passed, " + failed + " failed, " + skipped + " skipped");
        System.exit(failed == 0 && s.getContainersFailedCount() == 0 ? 0 : 1);
    }
}
