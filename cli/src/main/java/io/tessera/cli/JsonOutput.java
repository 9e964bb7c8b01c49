package io.tessera.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.api.problem.Problem;
import io.tessera.api.problem.Where;
import java.io.PrintWriter;

/** Prints the {@code --json} documents: built as Jackson trees (no reflection), printed indented. */
final class JsonOutput {

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonOutput() {
    }

    static void print(PrintWriter out, JsonNode document) {
        try {
            out.println(MAPPER.writeValueAsString(document));
        } catch (JsonProcessingException e) {
            // A tree of plain nodes always serializes; failing here is a bug in this class.
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /**
     * One problem, the same fields for every command: {@code severity}; where it is ({@code plugin} and
     * {@code source}, or {@code file}, {@code line}, {@code column} and {@code path}); {@code message}; and
     * {@code hint} when there is one.
     */
    static void problem(ObjectNode entry, Problem problem) {
        entry.put("severity", problem.severity().name());
        if (problem.where() instanceof Where.InPlugin p) {
            entry.put("plugin", p.pluginId());
            entry.put("source", p.source());
        } else if (problem.where() instanceof Where.InFile f) {
            entry.put("file", f.file());
            entry.put("line", f.line());
            entry.put("column", f.column());
            entry.put("path", f.path());
        }
        entry.put("message", problem.message());
        if (!problem.hint().isBlank()) {
            entry.put("hint", problem.hint());
        }
    }
}
