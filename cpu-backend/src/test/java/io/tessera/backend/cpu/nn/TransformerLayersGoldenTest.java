package io.tessera.backend.cpu.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tessera.api.io.Npy;
import io.tessera.api.io.NpyArray;
import io.tessera.api.nn.LayerNorm;
import io.tessera.api.nn.Module;
import io.tessera.api.nn.MultiheadAttention;
import io.tessera.api.nn.TransformerEncoder;
import io.tessera.api.nn.TransformerEncoderLayer;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.backend.cpu.CpuBackendProvider;
import io.tessera.testkit.golden.Tolerance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MultiheadAttention, TransformerEncoderLayer and TransformerEncoder against PyTorch's own modules: the PyTorch state
 * dict loads strictly by name, and outputs, attention weights and the gradients of every input and parameter match
 * the goldens of {@code src/test/resources/golden/transformer} (made by its {@code generate.py}; a folder of the same
 * layout can be given with {@code -Dtessera.golden.transformer=DIR}).
 */
class TransformerLayersGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TensorBackend be;

    @BeforeAll
    static void open() {
        be = new CpuBackendProvider().create();
    }

    @AfterAll
    static void close() {
        be.close();
    }

    static Stream<Path> cases() throws IOException, java.net.URISyntaxException {
        String override = System.getProperty("tessera.golden.transformer");
        Path root = override != null ? Path.of(override) : Path.of(TransformerLayersGoldenTest.class.getResource("/golden/transformer/generate.py").toURI()).getParent();
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            s.filter(p -> Files.exists(p.resolve("manifest.json"))).sorted().forEach(out::add);
        }
        assertThat(out).as("transformer golden cases under " + root).isNotEmpty();
        return out.stream();
    }

    private static NpyArray npy(Path dir, String name) {
        try {
            return Npy.read(dir.resolve(name + ".npy"));
        } catch (IOException e) {
            throw new AssertionError("cannot read " + dir.resolve(name + ".npy"), e);
        }
    }

    private static Tensor tensor(Path dir, String name) {
        NpyArray a = npy(dir, name);
        if (a.descr().equals("|b1")) {
            return be.tensor(a.toBooleanArray(), a.shape());
        }
        return be.tensor(a.toFloatArray(), a.shape());
    }

    private static Module build(JsonNode m) {
        JsonNode c = m.path("config");
        Generator g = new Generator(1);
        switch (m.path("kind").asText()) {
            case "mha":
                return MultiheadAttention.builder(be, c.path("embed_dim").asInt(), c.path("num_heads").asInt())
                        .bias(c.path("bias").asBoolean()).batchFirst(c.path("batch_first").asBoolean())
                        .kdim(c.path("kdim").asInt()).vdim(c.path("vdim").asInt()).generator(g).build();
            case "encoder_layer":
                return layer(c, g);
            case "encoder":
                return new TransformerEncoder(i -> layer(c, g), c.path("num_layers").asInt(),
                        c.path("final_norm").asBoolean() ? new LayerNorm(be, c.path("d_model").asLong()) : null);
            default:
                throw new AssertionError("unknown kind " + m.path("kind"));
        }
    }

    private static TransformerEncoderLayer layer(JsonNode c, Generator g) {
        return TransformerEncoderLayer.builder(be, c.path("d_model").asInt(), c.path("nhead").asInt())
                .dimFeedforward(c.path("dim_feedforward").asInt()).dropout(0.1)
                .activation(c.path("activation").asText().equals("gelu") ? TransformerEncoderLayer.Activation.GELU
                        : TransformerEncoderLayer.Activation.RELU)
                .layerNormEps(c.path("layer_norm_eps").asDouble()).batchFirst(c.path("batch_first").asBoolean())
                .normFirst(c.path("norm_first").asBoolean()).generator(g).build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(Path dir) throws IOException {
        JsonNode m = JSON.readTree(dir.resolve("manifest.json").toFile());
        JsonNode tol = m.path("tolerance");
        Tolerance t = new Tolerance(tol.path("rtol").asDouble(), tol.path("atol").asDouble());
        String label = dir.getFileName().toString();
        try (Module module = build(m); TensorScope scope = Tensors.scope()) {
            List<String> expectedNames = new ArrayList<>();
            m.path("state_dict").forEach(n -> expectedNames.add(n.asText()));
            assertThat(module.stateDict().keySet()).as(label + " state-dict names").containsExactlyElementsOf(
                    expectedNames);
            Map<String, Tensor> state = new HashMap<>();
            for (String n : expectedNames) {
                state.put(n, tensor(dir, "param." + n));
            }
            module.loadStateDict(state, true);
            module.eval(); // dropout off, as in the reference

            Map<String, Tensor> in = new HashMap<>();
            for (JsonNode n : m.path("inputs")) {
                in.put(n.asText(), tensor(dir, n.asText()).requiresGrad(true));
            }
            m.path("masks").fieldNames().forEachRemaining(n -> in.put(n, tensor(dir, n)));
            Tensor out;
            Tensor weights = null;
            JsonNode c = m.path("config");
            if (module instanceof MultiheadAttention mha) {
                Tensor q = in.get("query");
                MultiheadAttention.Output o = mha.forward(q, in.getOrDefault("key", q), in.getOrDefault("value", q),
                        in.get("key_padding_mask"), in.get("attn_mask"), c.path("need_weights").asBoolean(),
                        c.path("average_attn_weights").asBoolean());
                out = o.output();
                weights = o.weights();
            } else if (module instanceof TransformerEncoderLayer l) {
                out = l.forward(in.get("src"), in.get("src_mask"), in.get("src_key_padding_mask"));
            } else {
                out = ((TransformerEncoder) module).forward(in.get("src"), in.get("src_mask"),
                        in.get("src_key_padding_mask"));
            }
            check(t, label + " out", out, npy(dir, "out"));
            Tensor loss = out.mul(tensor(dir, "g_out")).sum();
            if (weights != null) {
                check(t, label + " attention weights", weights, npy(dir, "weights"));
                loss = loss.add(weights.mul(tensor(dir, "g_weights")).sum());
            }
            loss.backward();
            Map<String, Tensor> params = module.namedParameters();
            for (JsonNode gn : m.path("grads")) {
                String n = gn.asText();
                Tensor x = n.startsWith("param.") ? params.get(n.substring("param.".length())) : in.get(n);
                assertThat(x).as(label + " has " + n).isNotNull();
                assertThat(x.grad()).as(label + " gradient of " + n).isNotNull();
                check(t, label + " gradient of " + n, x.grad(), npy(dir, "grad_" + n));
            }
        }
    }

    private static void check(Tolerance t, String what, Tensor actual, NpyArray expected) {
        assertThat(actual.dims()).as(what + " shape").containsExactly(expected.shape());
        t.check(what, actual.toFloatArray(), expected.toFloatArray());
    }

    @Test
    void trainingModeDropsAttentionWeightsReproduciblyAndEvalDoesNot() {
        try (TensorScope s = Tensors.scope()) {
            Tensor x = new Generator(3).uniform(be, io.tessera.api.tensor.Shape.of(2, 5, 8), -1, 1);
            float[][] outs = new float[3][];
            for (int i = 0; i < 3; i++) {
                try (MultiheadAttention a = MultiheadAttention.builder(be, 8, 2).dropout(0.5).batchFirst(true)
                        .generator(new Generator(i < 2 ? 7 : 8)).build()) {
                    outs[i] = a.forward(x).toFloatArray();
                    a.eval();
                    float[] e1 = a.forward(x).toFloatArray();
                    float[] e2 = a.forward(x).toFloatArray();
                    assertThat(e1).containsExactly(e2);
                    assertThat(e1).isNotEqualTo(outs[i]);
                }
            }
            assertThat(outs[0]).containsExactly(outs[1]);
            assertThat(outs[0]).isNotEqualTo(outs[2]);
        }
    }

    @Test
    void badShapesAndMasksFailWithClearMessages() {
        try (MultiheadAttention a = MultiheadAttention.builder(be, 8, 2).batchFirst(true).build();
                TensorScope s = Tensors.scope()) {
            Tensor x = be.zeros(2, 5, 8);
            assertThatThrownBy(() -> a.forward(be.zeros(2, 5, 6))).hasMessageContaining("must end in 8");
            assertThatThrownBy(() -> a.forward(x, be.tensor(new boolean[12], 3, 4), null))
                    .hasMessageContaining("attn_mask").hasMessageContaining("[L, S] = [5, 5]");
            assertThatThrownBy(() -> a.forward(x, null, be.tensor(new boolean[5], 1, 5)))
                    .hasMessageContaining("key_padding_mask").hasMessageContaining("[N, S] = [2, 5]");
        }
        assertThatThrownBy(() -> MultiheadAttention.builder(be, 10, 3).build())
                .hasMessageContaining("divisible by num_heads 3");
    }
}
