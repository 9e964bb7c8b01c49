package io.tessera.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.tensor.Availability;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorBackendProvider;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackendSelectionTest {

    /** A provider defined by test code: it only describes itself; selection never creates a backend. */
    private record FakeProvider(String name, int priority, Availability availability, Set<String> capabilities)
            implements TensorBackendProvider {

        static FakeProvider available(String name, int priority) {
            return new FakeProvider(name, priority, Availability.available(name + " kernels ready"), Set.of("float32"));
        }

        static FakeProvider unavailable(String name, int priority, String reason) {
            return new FakeProvider(name, priority, Availability.unavailable(reason), Set.of());
        }

        @Override
        public TensorBackend create() {
            throw new IllegalStateException("backend " + name + " is a test fake and computes nothing");
        }
    }

    /** A provider whose availability check itself fails, like a backend whose native library is missing. */
    private static final class ThrowingProvider implements TensorBackendProvider {
        @Override
        public String name() {
            return "broken";
        }

        @Override
        public int priority() {
            return 500;
        }

        @Override
        public Set<String> capabilities() {
            return Set.of();
        }

        @Override
        public Availability availability() {
            throw new UnsatisfiedLinkError("no libbroken in java.library.path");
        }

        @Override
        public TensorBackend create() {
            throw new IllegalStateException("never available");
        }
    }

    @Test
    void automaticSelectionTakesTheHighestPriorityAvailableProvider() {
        FakeProvider cpu = FakeProvider.available("cpu", 10);
        FakeProvider fast = FakeProvider.available("fast", 50);
        FakeProvider gpu = FakeProvider.unavailable("gpu", 100, "no CUDA device found; install the NVIDIA driver");

        BackendSelection.Choice choice = BackendSelection.of(List.of(cpu, gpu, fast)).select(BackendRequest.auto());

        assertThat(choice.provider()).isSameAs(fast);
        assertThat(choice.candidate().name()).isEqualTo("fast");
        assertThat(choice.why()).contains("highest-priority available");
        assertThat(choice.why()).as("auto says which better backend it passed over, and why")
                .contains("passed over: gpu (priority 100) is unavailable: no CUDA device found; install the NVIDIA"
                        + " driver");
    }

    @Test
    void automaticSelectionWithNothingPassedOverSaysSo() {
        BackendSelection.Choice choice = BackendSelection.of(List.of(FakeProvider.available("cpu", 10),
                FakeProvider.unavailable("slow", 1, "never"))).select(BackendRequest.auto());
        assertThat(choice.why()).doesNotContain("passed over");
    }

    @Test
    void listsCandidatesByPriorityThenName() {
        BackendSelection selection = BackendSelection.of(List.of(FakeProvider.available("b", 10),
                FakeProvider.unavailable("gpu", 100, "no device"), FakeProvider.available("a", 10)));

        assertThat(selection.candidates()).extracting(BackendCandidate::name).containsExactly("gpu", "a", "b");
        assertThat(selection.candidates().get(0).available()).isFalse();
        assertThat(selection.candidates().get(0).reason()).isEqualTo("no device");
    }

    @Test
    void explicitNameWinsOverPriority() {
        FakeProvider cpu = FakeProvider.available("cpu", 10);
        FakeProvider gpu = FakeProvider.available("gpu", 100);

        BackendSelection.Choice choice = BackendSelection.of(List.of(cpu, gpu))
                .select(BackendRequest.named("CPU", "--backend"));

        assertThat(choice.provider()).isSameAs(cpu);
        assertThat(choice.why()).isEqualTo("named by --backend");
    }

    @Test
    void optionWinsOverEnvironmentWhichWinsOverAuto() {
        Map<String, String> environment = Map.of(BackendRequest.ENVIRONMENT_VARIABLE, "gpu");

        assertThat(BackendRequest.fromOptionOrEnvironment("cpu", environment))
                .isEqualTo(new BackendRequest("cpu", "--backend"));
        assertThat(BackendRequest.fromOptionOrEnvironment(null, environment))
                .isEqualTo(new BackendRequest("gpu", "TESSERA_BACKEND"));
        assertThat(BackendRequest.fromOptionOrEnvironment(" ", Map.of()).isAuto()).isTrue();
    }

    @Test
    void unknownExplicitNameIsAnErrorListingTheKnownBackends() {
        BackendSelection selection = BackendSelection.of(List.of(FakeProvider.available("cpu", 10),
                FakeProvider.unavailable("gpu", 100, "no device")));

        assertThatThrownBy(() -> selection.select(BackendRequest.named("tpu", "TESSERA_BACKEND")))
                .isInstanceOfSatisfying(BackendSelectionException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BackendSelectionException.Kind.UNKNOWN_NAME);
                    assertThat(e.candidates()).hasSize(2);
                })
                .hasMessageContaining("unknown backend 'tpu' (from TESSERA_BACKEND)")
                .hasMessageContaining("known backends: gpu, cpu");
    }

    @Test
    void aMissingCpuBackendNamesTheDependencyToAdd() {
        BackendSelection selection = BackendSelection.of(List.of(FakeProvider.available("fast", 10)));
        assertThatThrownBy(() -> selection.select(BackendRequest.named("cpu", "the pipeline's backend:")))
                .hasMessageStartingWith("unknown backend 'cpu' (from the pipeline's backend:)")
                .hasMessageContaining("the cpu backend is the dependency io.tessera:tessera-backend-cpu");
    }

    @Test
    void unavailableExplicitNameDoesNotFallBackAndSaysWhy() {
        BackendSelection selection = BackendSelection.of(List.of(FakeProvider.available("cpu", 10),
                FakeProvider.unavailable("gpu", 100, "no CUDA device found")));

        assertThatThrownBy(() -> selection.select(BackendRequest.named("gpu", "--backend")))
                .isInstanceOfSatisfying(BackendSelectionException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendSelectionException.Kind.UNAVAILABLE))
                .hasMessageContaining("backend 'gpu' (from --backend) is not available here")
                .hasMessageContaining("no CUDA device found")
                .hasMessageContaining("available instead: cpu");
    }

    @Test
    void noAvailableProviderIsAnErrorListingEveryProviderAndItsReason() {
        BackendSelection selection = BackendSelection.of(List.of(
                FakeProvider.unavailable("cpu", 10, "ND4J natives failed to load: libnd4jcpu.so missing"),
                FakeProvider.unavailable("gpu", 100, "no CUDA device found")));

        assertThatThrownBy(() -> selection.select(BackendRequest.auto()))
                .isInstanceOfSatisfying(BackendSelectionException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendSelectionException.Kind.NONE_AVAILABLE))
                .hasMessageContaining("no tensor backend is available")
                .hasMessageContaining("gpu (priority 100, ").hasMessageContaining("unavailable: no CUDA device found")
                .hasMessageContaining("cpu (priority 10, ").hasMessageContaining("unavailable: ND4J natives failed to load");
    }

    @Test
    void noProviderAtAllSaysHowToAddOne() {
        assertThatThrownBy(() -> BackendSelection.of(List.of()).select(BackendRequest.auto()))
                .isInstanceOf(BackendSelectionException.class)
                .hasMessageContaining("no tensor backend was found")
                .hasMessageContaining("tessera-backend-cpu");
    }

    @Test
    void providerThatThrowsIsListedAsUnavailableWithoutHidingTheOthers() {
        FakeProvider cpu = FakeProvider.available("cpu", 10);

        BackendSelection selection = BackendSelection.of(List.of(new ThrowingProvider(), cpu));

        assertThat(selection.candidates()).first().satisfies(broken -> {
            assertThat(broken.name()).isEqualTo("broken");
            assertThat(broken.available()).isFalse();
            assertThat(broken.reason()).contains("checking availability failed").contains("libbroken");
        });
        assertThat(selection.select(BackendRequest.auto()).provider()).isSameAs(cpu);
    }

    @Test
    void sameProviderInstanceIsListedOnce() {
        FakeProvider cpu = FakeProvider.available("cpu", 10);

        BackendSelection selection = BackendSelection.of(List.of(cpu, cpu));

        assertThat(selection.candidates()).hasSize(1);
    }
}
