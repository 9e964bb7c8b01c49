package io.tessera.testkit.conformance;

import io.tessera.api.tensor.TensorBackend;
import io.tessera.testkit.golden.GoldenCase;
import io.tessera.testkit.golden.GoldenCases;
import java.util.stream.Stream;
import org.apiguardian.api.API;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conformance suite every {@link TensorBackend} runs: one test per golden case folder (the bundled PyTorch 1.13
 * op goldens, or the folder named by {@code -Dtessera.golden.ops}). Each case loads its inputs, runs the op through
 * the public tensor API on the backend, compares every output with the manifest's tolerance (integers and booleans
 * exactly), then feeds {@code g.npy} as the upstream gradient into {@code backward()} and compares the gradient of
 * each input that requires one.
 *
 * <pre>{@code
 * class MyBackendConformanceTest extends BackendConformanceSuite {
 *     protected TensorBackend createBackend() { return new MyBackendProvider().create(); }
 * }
 * }</pre>
 */
@API(status = API.Status.STABLE, since = "1.0")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendConformanceSuite {
    private TensorBackend backend;

    /** Creates the backend under test; called once per test class, closed after the last case. */
    protected abstract TensorBackend createBackend();

    /** The backend under test (created on first use). */
    protected final TensorBackend backend() {
        if (backend == null) {
            backend = createBackend();
        }
        return backend;
    }

    /** Every golden case under {@link GoldenCases#opsRoot()}. */
    public static Stream<GoldenCase> goldenCases() {
        return GoldenCases.list(GoldenCases.opsRoot()).stream();
    }

    /** Runs one golden case: outputs, then gradients. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenCases")
    public void matchesGolden(GoldenCase goldenCase) {
        new CaseRunner(backend(), goldenCase).run();
    }

    /** The reproductions of issue 22: PyTorch semantics that differential fuzzing found broken. */
    public static Stream<SemanticsCases.Case> semanticsCases() {
        return SemanticsCases.all().stream();
    }

    /** Runs one semantics reproduction. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("semanticsCases")
    public void matchesPyTorchSemantics(SemanticsCases.Case semanticsCase) {
        semanticsCase.run(backend());
    }

    /** The programs of the differential fuzzing corpus (bundled, or {@code -Dtessera.fuzz.corpus=FILE}). */
    public static Stream<FuzzCorpus.Program> fuzzPrograms() {
        return FuzzCorpus.load().stream();
    }

    /** Replays one fuzz program: outputs and accumulated gradients as PyTorch computed them, or its refusal. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fuzzPrograms")
    public void matchesFuzzCorpus(FuzzCorpus.Program program) {
        new FuzzProgramRunner(backend(), program).run();
    }

    /** Closes the backend. */
    @AfterAll
    public void closeBackend() {
        if (backend != null) {
            backend.close();
            backend = null;
        }
    }
}
