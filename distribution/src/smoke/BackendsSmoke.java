import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Smoke test of the assembled distribution's backends, run by {@code ./mvnw verify} (distribution/pom.xml) through the
 * launcher itself: {@code bin/tessera backends --json} lists both backends from one JVM (the GPU backend with its
 * reason where it cannot run, the CPU backend available), and a {@code backend: auto} pipeline runs on the
 * highest-priority available backend and records in its {@code run-start} event which one and why.
 *
 * <p>Usage: {@code java --module-path DIST/lib/modules --add-modules com.fasterxml.jackson.databind
 * BackendsSmoke.java DIST PIPELINE SCRATCH}. Exits 1 with every failed check listed.
 */
public final class BackendsSmoke {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> failures = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: BackendsSmoke DISTRIBUTION_FOLDER PIPELINE_YAML SCRATCH_FOLDER");
            System.exit(2);
        }
        Path dist = Path.of(args[0]).toAbsolutePath();
        Path pipeline = Path.of(args[1]).toAbsolutePath();
        Path scratch = Files.createDirectories(Path.of(args[2]).toAbsolutePath());
        Path launcher = dist.resolve("bin/tessera");

        Result backends = run(scratch, List.of("bash", launcher.toString(), "backends", "--json"));
        check(backends.code == 0, "tessera backends --json exits 0 (it exited " + backends.code + ")");
        JsonNode list = JSON.readTree(backends.out);
        JsonNode gpu = find(list, "gpu");
        JsonNode cpu = find(list, "cpu");
        check(gpu != null, "tessera backends --json lists gpu: " + backends.out);
        check(cpu != null, "tessera backends --json lists cpu: " + backends.out);
        if (gpu == null || cpu == null) {
            finish(backends);
            return;
        }
        check(cpu.path("available").asBoolean(false), "cpu is available: " + cpu);
        check(gpu.path("origin").asText().equals("io.tessera.backend.gpu"), "gpu comes from io.tessera.backend.gpu: " + gpu);
        boolean gpuAvailable = gpu.path("available").asBoolean(false);
        String gpuReason = gpu.path("reason").asText("");
        check(!gpuReason.isBlank(), "gpu has a reason: " + gpu);
        check(!backends.err.contains("Versions of org.bytedeco"), "JavaCPP's version warning does not reach the user:"
                + " stderr was: " + backends.err);
        System.out.println("gpu: available " + gpuAvailable + ", reason: " + gpuReason);

        Path runs = scratch.resolve("runs");
        Result run = run(scratch, List.of("bash", launcher.toString(), "run", pipeline.toString(), "--out",
                runs.toString(), "--quiet"));
        check(run.code == 0, "the backend: auto run succeeds (exit " + run.code + "): " + run.err);
        check(!run.err.contains("Versions of org.bytedeco"), "no JavaCPP version warning in the run: " + run.err);
        Path events = null;
        try (var folders = Files.list(runs)) {
            for (Path folder : (Iterable<Path>) folders::iterator) {
                events = folder.resolve("events.jsonl");
            }
        }
        if (events == null || !Files.exists(events)) {
            failures.add("the run wrote no events.jsonl under " + runs);
            finish(run);
            return;
        }
        JsonNode start = JSON.readTree(Files.readAllLines(events, StandardCharsets.UTF_8).get(0));
        check(start.path("type").asText().equals("run-start"), "the first event is run-start: " + start);
        String backend = start.path("backend").asText();
        String reason = start.path("backend_reason").asText("");
        if (gpuAvailable) {
            check(backend.equals("gpu"), "backend: auto picks the available gpu: " + start);
        } else {
            check(backend.equals("cpu"), "backend: auto falls back to cpu: " + start);
            check(reason.contains("passed over: gpu") && reason.contains(gpuReason),
                    "backend_reason names the passed-over gpu and its reason: " + reason);
        }
        System.out.println("backend: auto ran on " + backend + " (" + reason + ")");
        finish(run);
    }

    private static JsonNode find(JsonNode list, String name) {
        for (JsonNode backend : list) {
            if (backend.path("name").asText().equals(name)) {
                return backend;
            }
        }
        return null;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            failures.add(what);
        }
    }

    private static void finish(Result last) {
        if (failures.isEmpty()) {
            System.out.println("distribution backends smoke test: all checks passed");
            return;
        }
        System.err.println("distribution backends smoke test failed:");
        failures.forEach(f -> System.err.println("  - " + f));
        System.err.println("last command's stderr:\n" + last.err);
        System.exit(1);
    }

    private record Result(int code, String out, String err) {
    }

    private static Result run(Path dir, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in 5 minutes");
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}
