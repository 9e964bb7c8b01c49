package io.tessera.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class JsonTextTest {

    @Test
    void parsesNestedObjectsAndArraysInOrder() {
        Object v = JsonText.parse(" {\"b\": [1, -2, 3.5e2, true, false, null], \"a\": {\"x\": []}, \"c\": {}} ");
        assertThat(v).isInstanceOf(Map.class);
        Map<?, ?> m = (Map<?, ?>) v;
        assertThat(List.copyOf(m.keySet())).isEqualTo(List.of("b", "a", "c"));
        assertThat(m.get("b")).isEqualTo(List.of(1L, -2L, 350.0, true, false, JsonText.NULL));
        assertThat(((Map<?, ?>) m.get("a")).get("x")).isEqualTo(List.of());
        assertThat(m.get("c")).isEqualTo(Map.of());
    }

    @Test
    void decodesEveryEscapeIncludingSurrogatePairs() {
        Object v = JsonText.parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\ud83d\\ude00 é\"");
        assertThat(v).isEqualTo("q\" b\\ s/ \b\f\n\r\t é \uD83D\uDE00 é");
    }

    @Test
    void keepsLargeIntegersExact() {
        assertThat(JsonText.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(JsonText.parse("9223372036854775808")).isEqualTo(new BigInteger("9223372036854775808"));
        assertThat(JsonText.parse("-0")).isEqualTo(0L);
        assertThat(JsonText.parse("0.5")).isEqualTo(0.5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\":1,}", "[1,]", "[1 2]", "{\"a\" 1}", "{a:1}", "01", "1.", ".5", "1e",
        "+1", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"a\tb\"", "tru", "nul", "{} {}", "[1]]",
        "{\"a\":1,\"a\":2}", "// c\n{}", "'a'", "NaN"})
    void rejectsMalformedJson(String text) {
        assertThatThrownBy(() -> JsonText.parse(text))
                .isInstanceOf(JsonText.JsonSyntaxException.class)
                .hasMessageContaining("invalid JSON at offset");
    }

    @Test
    void namesDuplicateKeys() {
        assertThatThrownBy(() -> JsonText.parse("{\"w\":1,\"w\":2}")).hasMessageContaining("duplicate key \"w\"");
    }

    @Test
    void rejectsExcessiveNesting() {
        String deep = "[".repeat(100) + "]".repeat(100);
        assertThatThrownBy(() -> JsonText.parse(deep)).hasMessageContaining("nesting deeper");
    }

    @Test
    void writesCompactlyAndRoundTrips() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\n\u0001é");
        m.put("l", new long[] {0, 16});
        m.put("n", List.of(1L, 2.5, true, JsonText.NULL));
        m.put("o", Map.of());
        String text = JsonText.write(m);
        assertThat(text).isEqualTo("{\"s\":\"a\\\"b\\\\c\\n\\u0001é\",\"l\":[0,16],\"n\":[1,2.5,true,null],\"o\":{}}");
        Map<?, ?> back = (Map<?, ?>) JsonText.parse(text);
        assertThat(back.get("s")).isEqualTo("a\"b\\c\n\u0001é");
        assertThat(back.get("l")).isEqualTo(List.of(0L, 16L));
    }
}
