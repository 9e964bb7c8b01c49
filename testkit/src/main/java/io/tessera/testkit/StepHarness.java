package io.tessera.testkit;

import io.tessera.api.pipeline.Checkpoints;
import io.tessera.api.pipeline.Port;
import io.tessera.api.pipeline.PortValues;
import io.tessera.api.pipeline.Step;
import io.tessera.api.pipeline.StepContext;
import io.tessera.api.plugin.ServiceRegistry;
import io.tessera.api.tensor.TensorBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ResourceBundle;
import java.util.function.Supplier;
import org.apiguardian.api.API;

/**
 * Runs one {@link Step} outside any host, as the pipeline engine would, and records what it reports. It checks the
 * inputs against the step's input ports before the run (required ones present, types right) and the outputs against
 * its output ports after it, so a step that passes here fits a pipeline.
 *
 * <pre>{@code
 * StepRun run = StepHarness.of(new GreetStep(greeter))
 *         .config(new GreetConfig("Hi", 2))          // default: step.defaultConfig()
 *         .input("name", "Ada")
 *         .run();
 * assertThat(run.output("message", String.class)).startsWith("Hi, Ada!");
 * assertThat(run.metrics()).containsKey("accuracy");  // what context.metric recorded
 * }</pre>
 *
 * A step that calls {@code context.backend()} gets {@link TestBackends#defaultBackend()} unless {@link #backend} gave
 * one; the harness closes the backend it created after the run. Not thread-safe; one run at a time.
 *
 * @param <C> the step's config record
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class StepHarness<C extends Record> {

    private final Step<C> step;
    private C config;
    private final Map<String, Object> inputs = new LinkedHashMap<>();
    private String stepName;
    private Path workDirectory;
    private TensorBackend backend;
    private Supplier<TensorBackend> backendFactory = TestBackends::defaultBackend;
    private ServiceRegistry services;
    private long seed = 7;
    private Checkpoints checkpoints = Checkpoints.none();

    private StepHarness(Step<C> step) {
        this.step = Objects.requireNonNull(step, "step");
        this.stepName = step.name().replace('/', '-');
    }

    /** A harness for {@code step}, with its default config and no inputs. */
    public static <C extends Record> StepHarness<C> of(Step<C> step) {
        return new StepHarness<>(step);
    }

    /** The config to run with; by default {@code step.defaultConfig()}. */
    public StepHarness<C> config(C config) {
        this.config = Objects.requireNonNull(config, "config");
        return this;
    }

    /** An input value for the port {@code name}. */
    public StepHarness<C> input(String name, Object value) {
        inputs.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /** The step's name in the pipeline ({@code context.stepName()}); by default the step type's name. */
    public StepHarness<C> stepName(String name) {
        this.stepName = Objects.requireNonNull(name, "name");
        return this;
    }

    /** The step's folder for files; by default a new temporary folder. */
    public StepHarness<C> workDirectory(Path dir) {
        this.workDirectory = Objects.requireNonNull(dir, "dir");
        return this;
    }

    /** The backend {@code context.backend()} returns; the caller keeps and closes it. */
    public StepHarness<C> backend(TensorBackend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
        return this;
    }

    /** The registry {@code context.services()} returns; without one, {@code services()} throws. */
    public StepHarness<C> services(ServiceRegistry services) {
        this.services = Objects.requireNonNull(services, "services");
        return this;
    }

    /** {@code context.seed()}; 7 by default. */
    public StepHarness<C> seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** {@code context.checkpoints()}; none by default. */
    public StepHarness<C> checkpoints(Checkpoints checkpoints) {
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
        return this;
    }

    /**
     * Runs the step once and returns what it gave and reported.
     *
     * @throws IllegalArgumentException if an input is missing, unknown or of the wrong type, or the step's outputs do
     *                                  not match its output ports, naming the port
     * @throws Exception                what the step threw
     */
    public StepRun run() throws Exception {
        checkPorts("input", step.inputs(), inputs);
        C effective = config != null ? config : step.defaultConfig();
        Path dir = workDirectory;
        try {
            if (dir == null) {
                dir = Files.createTempDirectory("tessera-step-" + stepName + "-");
            } else {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RecordingContext context = new RecordingContext(dir);
        PortValues out;
        try {
            out = step.run(context, effective, new PortValues(inputs));
        } finally {
            context.closeOwnBackend();
        }
        if (out == null) {
            throw new IllegalArgumentException("step " + step.name() + " returned null; return PortValues.EMPTY for "
                    + "no outputs");
        }
        checkPorts("output", step.outputs(), out.values());
        return new StepRun(out, context.events, dir);
    }

    private void checkPorts(String what, List<Port> ports, Map<String, Object> values) {
        Map<String, Port> byName = new LinkedHashMap<>();
        for (Port p : ports) {
            byName.put(p.name(), p);
            Object v = values.get(p.name());
            if (v == null) {
                if (p.required()) {
                    throw new IllegalArgumentException("step " + step.name() + ": required " + what + " '"
                            + p.name() + "' (" + p.type().getSimpleName() + ") is missing; it has " + values.keySet());
                }
            } else if (!p.type().isInstance(v)) {
                throw new IllegalArgumentException("step " + step.name() + ": " + what + " '" + p.name() + "' should "
                        + "be a " + p.type().getName() + " but is a " + v.getClass().getName());
            }
        }
        for (String name : values.keySet()) {
            if (!byName.containsKey(name)) {
                throw new IllegalArgumentException("step " + step.name() + " has no " + what + " port '" + name
                        + "'; its " + what + "s are " + byName.keySet());
            }
        }
    }

    private final class RecordingContext implements StepContext {
        private final Path dir;
        private final List<StepEvent> events = Collections.synchronizedList(new ArrayList<>());
        private TensorBackend own;

        RecordingContext(Path dir) {
            this.dir = dir;
        }

        @Override
        public String stepName() {
            return stepName;
        }

        @Override
        public Path workDirectory() {
            return dir;
        }

        @Override
        public System.Logger logger() {
            return new RecordingLogger(events);
        }

        @Override
        public ServiceRegistry services() {
            if (services == null) {
                throw new IllegalStateException("the step harness has no service registry; give it one with "
                        + "StepHarness.services(...), or run the step in a host (PluginTestHost)");
            }
            return services;
        }

        @Override
        public void progress(long done, long total, String message) {
            events.add(new StepEvent.Progress(done, total, message));
        }

        @Override
        public boolean cancelled() {
            return false;
        }

        @Override
        public synchronized TensorBackend backend() {
            if (backend != null) {
                return backend;
            }
            if (own == null) {
                own = backendFactory.get();
            }
            return own;
        }

        @Override
        public long seed() {
            return seed;
        }

        @Override
        public void metric(String name, double value) {
            events.add(new StepEvent.Metric(name, value));
        }

        @Override
        public void timing(String name, double value) {
            events.add(new StepEvent.Timing(name, value));
        }

        /**
         * Offers the training module's {@code io.tessera.training.pipeline.EpochLog}, as the pipeline engine does, and
         * records its epochs as {@link StepEvent.EpochEnd}. The test kit does not depend on the training module (whose
         * tests run on a backend whose tests use this kit), so it implements the one-method interface by name.
         */
        @Override
        public <T> java.util.Optional<T> service(Class<T> type) {
            if (type.getName().equals("io.tessera.training.pipeline.EpochLog") && type.isInterface()) {
                Object log = java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                        (proxy, method, args) -> {
                            if (method.getName().equals("epochEnd") && args != null && args.length == 3) {
                                @SuppressWarnings("unchecked")
                                Map<String, Double> m = (Map<String, Double>) args[2];
                                events.add(new StepEvent.EpochEnd((Integer) args[0], (Integer) args[1], m));
                                return null;
                            }
                            return switch (method.getName()) {
                                case "toString" -> "StepHarness EpochLog";
                                case "hashCode" -> System.identityHashCode(proxy);
                                case "equals" -> proxy == args[0];
                                default -> throw new UnsupportedOperationException(method.toString());
                            };
                        });
                return java.util.Optional.of(type.cast(log));
            }
            return java.util.Optional.empty();
        }

        @Override
        public void series(String series, long x, double value) {
            events.add(new StepEvent.SeriesPoint(series, x, value));
        }

        @Override
        public Checkpoints checkpoints() {
            return checkpoints;
        }

        synchronized void closeOwnBackend() {
            if (own != null) {
                own.close();
                own = null;
            }
        }
    }

    /** Records every line at every level; formats like the JDK's loggers do. */
    private record RecordingLogger(List<StepEvent> events) implements System.Logger {
        @Override
        public String getName() {
            return "tessera.step";
        }

        @Override
        public boolean isLoggable(Level level) {
            return level != Level.OFF;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            events.add(new StepEvent.Log(level, thrown == null ? msg : msg + ": " + thrown));
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            events.add(new StepEvent.Log(level, params == null || params.length == 0 ? format
                    : MessageFormat.format(format, params)));
        }
    }
}
