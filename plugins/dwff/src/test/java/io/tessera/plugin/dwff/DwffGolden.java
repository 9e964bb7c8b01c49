package io.tessera.plugin.dwff;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.api.io.NpyArray;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.testkit.golden.GoldenCase;
import io.tessera.testkit.golden.GoldenCases;
import io.tessera.testkit.golden.Tolerance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One DWFF golden case (layout of {@code golden/dwff/case-N}, spec §10): the decoder it describes, its official-name
 * parameters, inputs, expected logits, traces, loss parts and gradients. Shapes come from the manifest only.
 */
record DwffGolden(GoldenCase data) {
    /** System property naming another folder of {@code case-*} folders to run as well. */

    /** The bundled cases, then those under {@code -Dtessera.golden.dwff=DIR}. */
    static List<DwffGolden> all() {
        return GoldenCases.ofMethod("dwff").stream().map(DwffGolden::new).toList();
    }

    JsonNode manifest() {
        return data.manifest();
    }

    int cfg(String key) {
        JsonNode n = manifest().path("config").path(key);
        if (n.isMissingNode()) {
            throw new IllegalStateException(this + ": manifest config has no '" + key + "'");
        }
        return n.asInt();
    }

    double hp(String key, double dflt) {
        return manifest().path("hyperparameters").path(key).asDouble(dflt);
    }

    /** The decoder config of the case (dynamic fusion, dropout as in the manifest; goldens run in eval mode). */
    DwffConfig config() {
        return new DwffConfig(cfg("L"), cfg("D"), cfg("Fc"), cfg("mid1"), cfg("mid2"), cfg("K"), Fusion.DYNAMIC,
                hp("dropout_conv1", 0.2), hp("dropout_conv2", 0.1));
    }

    DwffLoss loss() {
        return new DwffLoss(hp("dice_weight", 0.5), hp("focal_weight", 0.5), hp("entropy_lambda", 0.01),
                hp("focal_gamma", 2.0));
    }

    /** The official-name parameters of the case. */
    Map<String, Tensor> state(TensorBackend be, DType dtype) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        manifest().path("params").fields().forEachRemaining(e ->
                out.put(e.getKey(), tensor(be, e.getValue().path("file").asText(), dtype)));
        return out;
    }

    List<Tensor> features(TensorBackend be, DType dtype) {
        List<Tensor> out = new ArrayList<>();
        manifest().path("inputs").path("features").forEach(f -> out.add(tensor(be, f.path("file").asText(), dtype)));
        return out;
    }

    Tensor target(TensorBackend be) {
        NpyArray a = data.array(manifest().path("inputs").path("target").path("file").asText("target.npy"));
        return be.tensor(a.toLongArray(), a.shape());
    }

    Tensor tensor(TensorBackend be, String file, DType dtype) {
        NpyArray a = data.array(file);
        return dtype == DType.FLOAT64 ? be.tensor(a.toDoubleArray(), a.shape()) : be.tensor(a.toFloatArray(), a.shape());
    }

    float[] floats(String file) {
        return data.array(file).toFloatArray();
    }

    long[] shape(String file) {
        return data.array(file).shape();
    }

    double loss(String part) {
        JsonNode n = manifest().path("loss").path(part);
        if (!n.isNumber()) {
            throw new IllegalStateException(this + ": manifest loss has no '" + part + "'");
        }
        return n.asDouble();
    }

    Tolerance logitsTolerance() {
        JsonNode t = manifest().path("tolerance");
        return new Tolerance(t.path("logits_rtol").asDouble(1e-5), t.path("logits_atol").asDouble(1e-5));
    }

    double lossTolerance() {
        return manifest().path("tolerance").path("loss_atol").asDouble(1e-5);
    }

    Tolerance gradTolerance() {
        JsonNode t = manifest().path("tolerance");
        return new Tolerance(t.path("grads_rtol").asDouble(1e-3), t.path("grads_atol").asDouble(1e-5));
    }

    @Override
    public String toString() {
        return data.dir().getFileName().toString();
    }
}
