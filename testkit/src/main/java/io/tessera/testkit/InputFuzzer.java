package io.tessera.testkit;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.apiguardian.api.API;

/**
 * A seeded mutation fuzzer for file readers (issue 17): it takes valid seed files, mutates them (bit flips,
 * truncation, inserted and repeated bytes, interesting integers written over headers, digit runs replaced by huge or
 * negative numbers, structural characters, random bytes after the magic number) and hands each mutant, written to a
 * file, to a reader. Every case must end in one of two ways:
 * <ul>
 *   <li>the reader returns (the mutant happened to be valid), or</li>
 *   <li>the reader throws one of the documented exception types, with a message that names the file when
 *       {@link #requireFileName} is set (the default).</li>
 * </ul>
 * Anything else fails the test: an undocumented exception (an {@link IndexOutOfBoundsException}, a
 * {@link NumberFormatException}, ...), an {@link Error} such as {@link OutOfMemoryError} or
 * {@link StackOverflowError}, or a hang (the whole run is bounded by {@link #timeout}, preemptively). A failing case
 * is saved under {@code target/fuzz-failures/} with the mutations that made it, so it can become a regression test.
 *
 * <p>The run is deterministic: {@code -Dtessera.fuzz.seed=S} changes the seed and {@code -Dtessera.fuzz.iterations=N}
 * the number of cases per seed file (for long runs: {@code testkit/fuzz/inputs.sh}).
 *
 * <pre>{@code
 * InputFuzzer.of("npy", ".npy", List.of(seed1, seed2)).reader(Npy::read).accept(IOException.class).run(tempDir);
 * }</pre>
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class InputFuzzer {
    /** Reads one file; what it returns is ignored. */
    @FunctionalInterface
    public interface Reader {
        /** Reads {@code file}. */
        void read(Path file) throws Exception;
    }

    /** What a run did: how many cases were read, refused with a documented exception, and how long it took. */
    public record Report(String name, int cases, int accepted, int refused, Duration elapsed) {
        @Override
        public String toString() {
            return name + ": " + cases + " cases, " + accepted + " read, " + refused + " refused in "
                    + elapsed.toMillis() + " ms";
        }
    }

    private static final long[] INTERESTING = {0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffffL,
        0x80000000L, 0xffffffffL, Integer.MAX_VALUE - 16, 1L << 32, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40};
    private static final String[] NUMBERS = {"-1", "0", "4294967296", "2147483647", "2147483648", "-2147483648",
        "9223372036854775807", "9223372036854775808", "18446744073709551616", "99999999999999999999999999",
        "1e999", "-0", "1.5", "2L", "0x10", "1" + "0".repeat(400)};
    private static final String[] STRUCTURE = {"{", "}", "[", "]", "(", ")", ",", ":", "\"", "'", "\\", "\n", " ",
        "&a", "*a", "!!", "- ", "\u0000", "\u00ff", "\ud800"};

    private final String name;
    private final String extension;
    private final List<byte[]> seeds;
    private Reader reader;
    private final List<Class<? extends Throwable>> accepted = new ArrayList<>();
    private boolean requireFileName = true;
    private int iterations = Integer.getInteger("tessera.fuzz.iterations", 300);
    private long seed = Long.getLong("tessera.fuzz.seed", 17L);
    private int requested = iterations;
    private Duration timeout = Duration.ofSeconds(60);

    private InputFuzzer(String name, String extension, List<byte[]> seeds) {
        this.name = name;
        this.extension = extension;
        this.seeds = List.copyOf(seeds);
    }

    /**
     * A fuzzer of {@code name} (for messages and saved cases) whose files end in {@code extension} and whose
     * mutants start from {@code seeds} (valid files).
     */
    public static InputFuzzer of(String name, String extension, List<byte[]> seeds) {
        return new InputFuzzer(name, extension, seeds);
    }

    /** The reader under test. */
    public InputFuzzer reader(Reader reader) {
        this.reader = Objects.requireNonNull(reader, "reader");
        return this;
    }

    /** A documented exception type (and its subtypes) the reader may throw for malformed input. */
    public InputFuzzer accept(Class<? extends Throwable> type) {
        accepted.add(type);
        return this;
    }

    /** Whether a refusal's message must name the file (default true). */
    public InputFuzzer requireFileName(boolean required) {
        this.requireFileName = required;
        return this;
    }

    /** Mutants per seed file (default 300, or {@code -Dtessera.fuzz.iterations}). */
    public InputFuzzer iterations(int n) {
        this.requested = n;
        if (System.getProperty("tessera.fuzz.iterations") == null) {
            this.iterations = n;
        }
        return this;
    }

    /**
     * The limit for the whole run (default 60 s); a reader that hangs fails the test when it is reached. When
     * {@code -Dtessera.fuzz.iterations} asks for more cases than the test, the limit grows in proportion.
     */
    public InputFuzzer timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    /**
     * Runs every case in {@code dir} (a temporary folder) and fails on the first that breaks the contract.
     *
     * @return what happened, for the test's log
     */
    public Report run(Path dir) {
        Objects.requireNonNull(reader, "reader");
        long t0 = System.nanoTime();
        String[] current = {"(before the first case)"};
        int[] counts = new int[3];
        Duration limit = timeout.multipliedBy(Math.max(1, (iterations + requested - 1) / Math.max(1, requested)));
        assertTimeoutPreemptively(limit, () -> {
            Files.createDirectories(dir);
            for (int s = 0; s < seeds.size(); s++) {
                Path file = dir.resolve(name + "-seed" + s + extension);
                Files.write(file, seeds.get(s));
                current[0] = "seed " + s + " unmutated";
                Throwable t = call(file);
                if (t != null) {
                    throw new AssertionError(name + ": seed file " + s + " is not valid: " + t, t);
                }
                SplittableRandom random = new SplittableRandom(seed * 31 + s);
                for (int i = 0; i < iterations; i++) {
                    List<String> log = new ArrayList<>();
                    byte[] mutant = mutate(seeds.get(s), random, log);
                    Path f = dir.resolve(name + "-case" + extension);
                    Files.write(f, mutant);
                    current[0] = "seed file " + s + ", case " + i + " (" + String.join(", ", log) + ")";
                    counts[0]++;
                    Throwable failure = call(f);
                    String problem = judge(failure, f);
                    if (problem != null) {
                        Path saved = save(mutant, s, i);
                        throw new AssertionError(name + " fuzz (seed " + seed + "), " + current[0] + ": " + problem
                                + "; the case is saved as " + saved + " (bytes " + preview(mutant) + ")", failure);
                    }
                    counts[failure == null ? 1 : 2]++;
                }
            }
        }, () -> name + " fuzz (seed " + seed + "): no answer within " + limit.toSeconds() + " s; the reader hangs"
                + " on " + current[0]);
        return new Report(name, counts[0], counts[1], counts[2], Duration.ofNanos(System.nanoTime() - t0));
    }

    private Throwable call(Path file) {
        try {
            reader.read(file);
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    // null when the outcome keeps the contract, else what is wrong
    private String judge(Throwable t, Path file) {
        if (t == null) {
            return null;
        }
        boolean documented = accepted.stream().anyMatch(a -> a.isInstance(t));
        if (!documented) {
            return "undocumented " + t;
        }
        if (t.getMessage() == null || t.getMessage().isBlank()) {
            return "a " + t.getClass().getName() + " without a message";
        }
        if (requireFileName && !t.getMessage().contains(file.getFileName().toString())) {
            return "the message does not name the file: " + t.getMessage();
        }
        if (t.getMessage().length() > 10_000) {
            return "a message of " + t.getMessage().length() + " characters (it quotes the input whole)";
        }
        return null;
    }

    private Path save(byte[] mutant, int seedFile, int i) {
        try {
            Path out = Path.of("target", "fuzz-failures");
            Files.createDirectories(out);
            Path f = out.resolve(name + "-seed" + seed + "-" + seedFile + "-" + i + extension);
            Files.write(f, mutant);
            return f.toAbsolutePath();
        } catch (IOException e) {
            return Path.of("(not saved: " + e.getMessage() + ")");
        }
    }

    private static String preview(byte[] b) {
        return HexFormat.of().formatHex(b, 0, Math.min(b.length, 48)) + (b.length > 48 ? "... " + b.length : "");
    }

    /** One mutant of {@code seed}: one to three mutations; each is described in {@code log}. */
    static byte[] mutate(byte[] seed, SplittableRandom r, List<String> log) {
        byte[] b = seed.clone();
        int n = 1 + r.nextInt(3);
        for (int k = 0; k < n; k++) {
            b = mutateOnce(b, r, log);
        }
        return b;
    }

    private static byte[] mutateOnce(byte[] b, SplittableRandom r, List<String> log) {
        int len = b.length;
        switch (r.nextInt(9)) {
            case 0 -> {
                if (len == 0) {
                    return b;
                }
                int bits = 1 + r.nextInt(8);
                for (int i = 0; i < bits; i++) {
                    int at = r.nextInt(len);
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
                log.add(bits + " bit flips");
                return b;
            }
            case 1 -> {
                int at = r.nextInt(len + 1);
                log.add("truncated to " + at);
                return Arrays.copyOf(b, at);
            }
            case 2 -> {
                // an interesting integer over 1, 2, 4 or 8 bytes, either byte order, mostly in the first 64 bytes
                if (len == 0) {
                    return b;
                }
                int width = 1 << r.nextInt(4);
                int limit = Math.max(1, r.nextInt(4) == 0 ? len : Math.min(len, 64));
                int at = r.nextInt(limit);
                long v = INTERESTING[r.nextInt(INTERESTING.length)];
                boolean little = r.nextBoolean();
                for (int i = 0; i < width && at + i < len; i++) {
                    int shift = 8 * (little ? i : width - 1 - i);
                    b[at + i] = (byte) (v >>> shift);
                }
                log.add((little ? "LE" : "BE") + " " + v + " over " + width + " bytes at " + at);
                return b;
            }
            case 3 -> {
                // replace a run of ASCII digits by another number
                List<int[]> runs = digitRuns(b);
                if (runs.isEmpty()) {
                    return mutateOnce(b, r, log);
                }
                int[] run = runs.get(r.nextInt(runs.size()));
                String number = NUMBERS[r.nextInt(NUMBERS.length)];
                log.add("number " + (number.length() > 20 ? number.substring(0, 20) + "..." : number)
                        + " at " + run[0]);
                return splice(b, run[0], run[1], number.getBytes(StandardCharsets.UTF_8));
            }
            case 4 -> {
                String s = STRUCTURE[r.nextInt(STRUCTURE.length)];
                int at = r.nextInt(len + 1);
                log.add("inserted " + escape(s) + " at " + at);
                return splice(b, at, at, s.getBytes(StandardCharsets.UTF_8));
            }
            case 5 -> {
                // repeat a chunk many times (nesting, long values, long lines)
                if (len == 0) {
                    return b;
                }
                int from = r.nextInt(len);
                int size = 1 + r.nextInt(Math.min(16, len - from));
                int times = 1 + r.nextInt(r.nextInt(8) == 0 ? 20_000 : 50);
                byte[] chunk = Arrays.copyOfRange(b, from, from + size);
                byte[] repeated = new byte[size * times];
                for (int i = 0; i < times; i++) {
                    System.arraycopy(chunk, 0, repeated, i * size, size);
                }
                log.add("repeated " + size + " bytes at " + from + " " + times + " times");
                return splice(b, from, from, repeated);
            }
            case 6 -> {
                // random bytes after the first few (the magic number kept)
                int keep = Math.min(len, r.nextInt(16));
                byte[] out = Arrays.copyOf(b, keep + r.nextInt(64));
                for (int i = keep; i < out.length; i++) {
                    out[i] = (byte) r.nextInt(256);
                }
                log.add("random bytes after " + keep);
                return out;
            }
            case 7 -> {
                if (len == 0) {
                    return b;
                }
                int at = r.nextInt(len);
                int cut = 1 + r.nextInt(Math.min(32, len - at));
                log.add("deleted " + cut + " bytes at " + at);
                return splice(b, at, at + cut, new byte[0]);
            }
            default -> {
                int extra = 1 + r.nextInt(r.nextInt(4) == 0 ? 4096 : 16);
                byte[] tail = new byte[extra];
                for (int i = 0; i < extra; i++) {
                    tail[i] = (byte) r.nextInt(256);
                }
                log.add("appended " + extra + " bytes");
                return splice(b, len, len, tail);
            }
        }
    }

    private static List<int[]> digitRuns(byte[] b) {
        List<int[]> runs = new ArrayList<>();
        for (int i = 0; i < b.length; i++) {
            if (b[i] >= '0' && b[i] <= '9') {
                int start = i;
                while (i < b.length && b[i] >= '0' && b[i] <= '9') {
                    i++;
                }
                runs.add(new int[] {start, i});
            }
        }
        return runs;
    }

    private static byte[] splice(byte[] b, int from, int to, byte[] insert) {
        byte[] out = new byte[b.length - (to - from) + insert.length];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(b, to, out, from + insert.length, b.length - to);
        return out;
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder("'");
        for (char c : s.toCharArray()) {
            out.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.append('\'').toString();
    }
}
