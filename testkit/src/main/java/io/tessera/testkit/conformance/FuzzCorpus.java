package io.tessera.testkit.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apiguardian.api.API;

/**
 * The differential fuzzing corpus: op-chain programs over the tensor API with the outputs and gradients PyTorch
 * computed for them (written by {@code testkit/fuzz/tensor_fuzz.py}, docs/tensor-api.md "Differential fuzzing").
 * The test kit bundles one; {@code -Dtessera.fuzz.corpus=FILE} replays another (a fresh seed, for live fuzzing).
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class FuzzCorpus {
    /** System property naming a corpus file to replay instead of the bundled one. */
    public static final String PROPERTY = "tessera.fuzz.corpus";
    private static final String BUNDLED = "/io/tessera/testkit/fuzz/corpus.json";

    private FuzzCorpus() {
    }

    /**
     * One program of the corpus.
     *
     * @param id     its id within the corpus ({@code p0042})
     * @param seed   the corpus seed (with the id, enough to regenerate it)
     * @param json   the program: inputs, ops, expected outputs, backward passes and gradients
     */
    public record Program(String id, long seed, JsonNode json) {
        @Override
        public String toString() {
            StringBuilder ops = new StringBuilder();
            for (JsonNode op : json.path("ops")) {
                if (!ops.isEmpty()) {
                    ops.append(' ');
                }
                ops.append(op.path("op").asText());
            }
            return "seed " + seed + " " + id + ": " + ops;
        }
    }

    /** The programs of the corpus named by {@code -Dtessera.fuzz.corpus}, else of the bundled one. */
    public static List<Program> load() {
        String override = System.getProperty(PROPERTY);
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override);
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + override + " is not a file; write one with"
                        + " /usr/bin/python3 testkit/fuzz/tensor_fuzz.py --seed N --out FILE");
            }
            try (InputStream in = Files.newInputStream(p)) {
                return parse(in, p.toString());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read fuzz corpus " + p, e);
            }
        }
        try (InputStream in = FuzzCorpus.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException("bundled fuzz corpus " + BUNDLED + " is missing from the test kit");
            }
            return parse(in, BUNDLED);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled fuzz corpus " + BUNDLED, e);
        }
    }

    private static List<Program> parse(InputStream in, String where) throws IOException {
        JsonNode root = new ObjectMapper().readTree(in);
        if (!root.path("format").asText().equals("tessera-tensor-fuzz/1")) {
            throw new IllegalArgumentException(where + ": not a tessera-tensor-fuzz/1 corpus (format '"
                    + root.path("format").asText() + "')");
        }
        long seed = root.path("seed").asLong();
        List<Program> out = new ArrayList<>();
        for (JsonNode p : root.path("programs")) {
            out.add(new Program(p.path("id").asText(), seed, p));
        }
        return out;
    }
}
