package io.tessera.plugin.wpca;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tessera.api.io.Npy;
import io.tessera.api.io.NpyArray;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One W-PCA golden case ({@code golden/wpca/case-N}: an FFN stack, its pre-activations, eigenvalues, counts, proxy
 * values, edge matrices and a ranking sample; spec §5). The bundled cases come first, then every case under
 * {@code -Dtessera.golden.wpca=DIR}. Nothing is assumed about the number of layers, the widths or the sequence
 * length: they are read from the files.
 */
record WpcaGolden(Path dir, JsonNode manifest) {
    static final String PROPERTY = "tessera.golden.wpca";
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<WpcaGolden> all() {
        List<WpcaGolden> out = new ArrayList<>();
        try {
            Path bundled = Path.of(WpcaGolden.class.getResource("/golden/wpca/case-0/manifest.json").toURI())
                    .getParent().getParent();
            out.addAll(list(bundled));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        String extra = System.getProperty(PROPERTY);
        if (extra != null && !extra.isBlank()) {
            Path p = Path.of(extra);
            if (!Files.isDirectory(p)) {
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + extra + " is not a folder; point it at a"
                        + " folder of case-<n>/manifest.json in the layout of golden/wpca");
            }
            List<WpcaGolden> more = list(p);
            if (more.isEmpty()) {
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + extra + " holds no case-*/manifest.json");
            }
            out.addAll(more);
        }
        return out;
    }

    private static List<WpcaGolden> list(Path root) {
        List<WpcaGolden> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            for (Path d : s.filter(x -> Files.isRegularFile(x.resolve("manifest.json"))).sorted().toList()) {
                out.add(new WpcaGolden(d, JSON.readTree(d.resolve("manifest.json").toFile())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    NpyArray array(String name) {
        JsonNode a = manifest.path("arrays").path(name);
        String file = a.isMissingNode() ? name + ".npy" : a.path("file").asText();
        try {
            return Npy.read(dir.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve(file), e);
        }
    }

    boolean has(String name) {
        return manifest.path("arrays").has(name) || Files.exists(dir.resolve(name + ".npy"));
    }

    Tensor tensor(TensorBackend be, String name) {
        NpyArray a = array(name);
        return be.tensor(a.toDoubleArray(), a.shape());
    }

    /** The number of layers: as many as there are {@code layer<l>_W1} arrays. */
    int layers() {
        int l = 0;
        while (has("layer" + l + "_W1")) {
            l++;
        }
        return l;
    }

    JsonNode results() {
        return manifest.path("results");
    }

    /** The η values of the case, as the manifest's keys spell them ({@code "0.99"}). */
    List<String> etaKeys() {
        List<String> out = new ArrayList<>();
        Iterator<String> it = results().path("proxy").fieldNames();
        it.forEachRemaining(out::add);
        return out;
    }

    /** The edge matrices' names. */
    List<String> edges() {
        List<String> out = new ArrayList<>();
        results().path("edges").fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Override
    public String toString() {
        return dir.getFileName().toString();
    }
}
