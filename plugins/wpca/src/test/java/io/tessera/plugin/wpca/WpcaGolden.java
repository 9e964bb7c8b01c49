package io.tessera.plugin.wpca;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.api.io.NpyArray;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.testkit.golden.GoldenCase;
import io.tessera.testkit.golden.GoldenCases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One W-PCA golden case ({@code golden/wpca/case-N}: an FFN stack, its pre-activations, eigenvalues, counts, proxy
 * values, edge matrices and a ranking sample; spec §5), listed by the test kit's {@link GoldenCases#ofMethod}: the
 * bundled cases first, then every case under {@code -Dtessera.golden.wpca=DIR}. Nothing is assumed about the number
 * of layers, the widths or the sequence length: they are read from the files.
 */
record WpcaGolden(GoldenCase data) {

    static List<WpcaGolden> all() {
        return GoldenCases.ofMethod("wpca").stream().map(WpcaGolden::new).toList();
    }

    Path dir() {
        return data.dir();
    }

    JsonNode manifest() {
        return data.manifest();
    }

    NpyArray array(String name) {
        JsonNode a = manifest().path("arrays").path(name);
        String file = a.isMissingNode() ? name + ".npy" : a.path("file").asText();
        return data.array(file);
    }

    boolean has(String name) {
        return manifest().path("arrays").has(name) || Files.exists(dir().resolve(name + ".npy"));
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
        return manifest().path("results");
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
        return dir().getFileName().toString();
    }
}
