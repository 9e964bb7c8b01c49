package io.tessera.testkit.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tessera.api.io.Npy;
import io.tessera.api.io.NpyArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * One golden case folder: its {@code manifest.json} and the {@code .npy} files it names.
 * Accessors follow the layout of {@code golden/ops/README.md}; {@link #manifest()} gives the raw JSON for other layouts.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class GoldenCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An array entry of the manifest ({@code inputs}, {@code outputs}, {@code grads}). */
    public record Entry(String name, String file, String dtype, long[] shape, JsonNode json) {
        /** {@code requires_grad} for inputs, {@code differentiable} for outputs; false when absent. */
        public boolean flag(String key) {
            return json.path(key).asBoolean(false);
        }
    }

    private final Path dir;
    private final JsonNode manifest;

    private GoldenCase(Path dir, JsonNode manifest) {
        this.dir = dir;
        this.manifest = manifest;
    }

    /** Reads {@code dir/manifest.json}. */
    public static GoldenCase load(Path dir) {
        Path m = dir.resolve("manifest.json");
        try {
            return new GoldenCase(dir, JSON.readTree(Files.readString(m)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read golden manifest " + m + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    public JsonNode manifest() {
        return manifest;
    }

    /** The test id, e.g. {@code conv2d_s2_p1}. */
    public String test() {
        return manifest.path("test").asText(dir.getParent() == null ? "" : dir.getParent().getFileName().toString());
    }

    /** The op name, e.g. {@code conv2d}. */
    public String op() {
        return manifest.path("op").asText();
    }

    public int caseNumber() {
        return manifest.path("case").asInt();
    }

    public JsonNode attributes() {
        return manifest.path("attributes");
    }

    public Tolerance tolerance() {
        JsonNode t = manifest.path("tolerance");
        return new Tolerance(t.path("rtol").asDouble(1e-4), t.path("atol").asDouble(1e-5));
    }

    public List<Entry> inputs() {
        return entries("inputs");
    }

    public List<Entry> outputs() {
        return entries("outputs");
    }

    public List<Entry> grads() {
        return entries("grads");
    }

    /** The upstream gradient entry ({@code g.npy}), absent for forward-only tests. */
    public Optional<Entry> upstreamGrad() {
        JsonNode u = manifest.path("upstream_grad");
        return u.isObject() ? Optional.of(entry(u)) : Optional.empty();
    }

    /** Loads an {@code .npy} file of this case by file name. */
    public NpyArray array(String file) {
        Path p = dir.resolve(file);
        try {
            return Npy.read(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read golden array " + p + ": " + e.getMessage(), e);
        }
    }

    /** Loads the array of a manifest entry. */
    public NpyArray array(Entry e) {
        return array(e.file());
    }

    private List<Entry> entries(String key) {
        List<Entry> out = new ArrayList<>();
        for (JsonNode n : manifest.path(key)) {
            out.add(entry(n));
        }
        return out;
    }

    private static Entry entry(JsonNode n) {
        long[] shape = new long[n.path("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = n.path("shape").get(i).asLong();
        }
        return new Entry(n.path("name").asText(), n.path("file").asText(), n.path("dtype").asText(), shape, n);
    }

    @Override
    public String toString() {
        return test() + "/case-" + caseNumber();
    }
}
