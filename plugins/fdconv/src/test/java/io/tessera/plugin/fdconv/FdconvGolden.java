package io.tessera.plugin.fdconv;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.api.io.NpyArray;
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
 * One FDConv golden case (layout of {@code golden/fdconv/case-N}, spec §11) and how to build the layer it describes.
 */
record FdconvGolden(GoldenCase data) {
    /** System property naming another folder of {@code case-*} folders to run as well. */

    /** The bundled cases, then those under {@code -Dtessera.golden.fdconv=DIR}. */
    static List<FdconvGolden> all() {
        return GoldenCases.ofMethod("fdconv").stream().map(FdconvGolden::new).toList();
    }

    JsonNode manifest() {
        return data.manifest();
    }

    JsonNode config() {
        return manifest().path("config");
    }

    int cfg(String key) {
        JsonNode n = config().path(key);
        if (n.isMissingNode()) {
            throw new IllegalStateException(this + ": manifest config has no '" + key + "'");
        }
        return n.asInt();
    }

    /** The layer of this case's config and hyperparameters, weights not yet loaded. */
    FDConv2d layer(TensorBackend be) {
        JsonNode hp = manifest().path("hyperparameters");
        FbmOptions fbm = FbmOptions.defaults()
                .withKList(ints(hp.path("fbm_k_list"), List.of(2, 4, 8)))
                .withAct(act(hp.path("fbm_act").asText("sigmoid")));
        List<Integer> max = ints(hp.path("fbm_max_size"), List.of(64, 64));
        fbm = new FbmOptions(fbm.kList(), fbm.lowfreqAtt(), fbm.act(), fbm.spatialGroup(),
                hp.path("fbm_spatial_kernel").asInt(3), fbm.zeroInit(), max.get(0), max.get(1));
        FDConvOptions o = FDConvOptions.builder()
                .kernelNum(cfg("kernel_num"))
                .reduction(hp.path("reduction").asDouble(0.0625))
                .minChannel(hp.path("min_channel").asInt(16))
                .attMulti(hp.path("att_multi").asDouble(2.0))
                .temp(hp.path("temp").isNumber() ? hp.path("temp").asDouble() : null)
                .kernelTemp(hp.path("kernel_temp").asDouble(1.0))
                .paramRatio(hp.path("param_ratio").asInt(1))
                .paramReduction(hp.path("param_reduction").asDouble(1.0))
                .useFdconvIfCGt(hp.path("use_fdconv_if_c_gt").asInt(16))
                .useFdconvIfKIn(ints(hp.path("use_fdconv_if_k_in"), List.of(1, 3)))
                .useFbmIfKIn(ints(hp.path("use_fbm_if_k_in"), List.of(3)))
                .useKsmLocal(hp.path("use_ksm_local").asBoolean(true))
                .ksmLocalAct(act(hp.path("ksm_local_act").asText("sigmoid")))
                .ksmGlobalAct(act(hp.path("ksm_global_act").asText("sigmoid")))
                .fbm(fbm)
                .build();
        return FDConv2d.builder(be, cfg("Cin"), cfg("Cout"), cfg("k"))
                .stride(cfg("stride")).padding(cfg("padding")).bias(config().path("bias").asBoolean())
                .options(o).build();
    }

    boolean trainMode() {
        return manifest().path("hyperparameters").path("bn_mode").asText("eval").equals("train");
    }

    /** The official-name parameters and buffers of the case, as tensors. */
    Map<String, Tensor> state(TensorBackend be) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        manifest().path("params").fields().forEachRemaining(e ->
                out.put(e.getKey(), tensor(be, e.getValue().path("file").asText())));
        return out;
    }

    Tensor tensor(TensorBackend be, String file) {
        NpyArray a = data.array(file);
        return be.tensor(a.toFloatArray(), a.shape());
    }

    float[] floats(String file) {
        return data.array(file).toFloatArray();
    }

    Tolerance outputTolerance() {
        JsonNode t = manifest().path("tolerance");
        return new Tolerance(t.path("output_rtol").asDouble(1e-5), t.path("output_atol").asDouble(1e-5));
    }

    Tolerance gradTolerance() {
        JsonNode t = manifest().path("tolerance");
        return new Tolerance(t.path("grads_rtol").asDouble(1e-4), t.path("grads_atol").asDouble(1e-4));
    }

    private static List<Integer> ints(JsonNode n, List<Integer> dflt) {
        if (!n.isArray()) {
            return dflt;
        }
        List<Integer> out = new ArrayList<>();
        n.forEach(v -> out.add(v.asInt()));
        return out;
    }

    private static GateActivation act(String name) {
        return GateActivation.valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }

    @Override
    public String toString() {
        return data.dir().getFileName().toString();
    }
}
