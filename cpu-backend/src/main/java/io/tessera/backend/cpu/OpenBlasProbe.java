package io.tessera.backend.cpu;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds which kernels ND4J's OpenBLAS runs on this CPU. OpenBLAS picks its core type at load time and exposes it only
 * through {@code openblas_get_corename}, which the JavaCPP bindings do not map, or by printing {@code Core: X} when
 * {@code OPENBLAS_VERBOSE=2}. So the probe loads OpenBLAS in a short child JVM with that variable set and reads the
 * line. Compared with the CPU's flags ({@code /proc/cpuinfo}), it tells whether OpenBLAS misdetected the CPU and fell
 * back to generic SSE kernels. It never sets {@code OPENBLAS_CORETYPE} for the user.
 */
final class OpenBlasProbe {
    /** Set to {@code false} to skip the child JVM (then the core is reported as unknown). */
    static final String PROPERTY = "tessera.cpu.probeOpenBlas";

    private static final Pattern CORE = Pattern.compile("Core:\\s*(\\S+)");
    private static final Set<String> AVX512_CORES = Set.of("skylakex", "cooperlake", "sapphirerapids");
    private static final Set<String> AVX2_CORES = Set.of("haswell", "zen", "skylakex", "cooperlake",
            "sapphirerapids");

    /**
     * The outcome.
     *
     * @param core         the core name OpenBLAS reported, or null when unknown
     * @param userCoreType the value of {@code OPENBLAS_CORETYPE} in this process's environment, or null
     * @param cpuFlags     the SIMD flags of interest found in /proc/cpuinfo (avx2, avx512f)
     * @param suggestion   the core type to set when OpenBLAS runs kernels older than the CPU, else null
     * @param note         a sentence for people, for the availability reason
     */
    record Result(String core, String userCoreType, Set<String> cpuFlags, String suggestion, String note) {
        boolean misdetected() {
            return suggestion != null;
        }
    }

    private OpenBlasProbe() {
    }

    /** Child-JVM entry point: loads OpenBLAS, whose loader prints the core when OPENBLAS_VERBOSE=2. */
    public static void main(String[] args) throws Exception {
        Class<?> blas = Class.forName("org.bytedeco.openblas.global.openblas_nolapack");
        Class.forName("org.bytedeco.javacpp.Loader").getMethod("load", Class.class).invoke(null, blas);
    }

    static Result probe() {
        String user = System.getenv("OPENBLAS_CORETYPE");
        Set<String> flags = cpuFlags();
        String core = Boolean.parseBoolean(System.getProperty(PROPERTY, "true")) ? childCore() : null;
        return evaluate(core, user, flags);
    }

    /** Pure decision logic, separated so tests can check it for any CPU. */
    static Result evaluate(String core, String user, Set<String> flags) {
        boolean avx512 = flags.contains("avx512f");
        boolean avx2 = flags.contains("avx2");
        String cpu = avx512 ? "AVX-512" : avx2 ? "AVX2" : "no AVX2";
        if (user != null && !user.isBlank()) {
            return new Result(core, user, flags, null, "OpenBLAS core type " + (core == null ? user : core)
                    + " (set by OPENBLAS_CORETYPE=" + user + ", left as is) on a CPU with " + cpu);
        }
        if (core == null) {
            return new Result(null, null, flags, null, "OpenBLAS core type unknown (probe skipped or failed) on a CPU"
                    + " with " + cpu);
        }
        String c = core.toLowerCase(Locale.ROOT);
        String suggestion = null;
        if (avx512 && !AVX512_CORES.contains(c)) {
            suggestion = "SkylakeX";
        } else if (avx2 && !AVX2_CORES.contains(c)) {
            suggestion = "Haswell";
        }
        if (suggestion == null) {
            return new Result(core, null, flags, null, "OpenBLAS core type " + core + " matches a CPU with " + cpu);
        }
        return new Result(core, null, flags, suggestion, "OpenBLAS misdetects this CPU: it runs " + core
                + " kernels on a CPU with " + cpu + "; set OPENBLAS_CORETYPE=" + suggestion
                + " in the environment for much faster GEMM (Tessera never overrides the core type)");
    }

    static Set<String> cpuFlags() {
        Set<String> out = new TreeSet<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("flags")) {
                    for (String f : line.substring(line.indexOf(':') + 1).trim().split("\\s+")) {
                        if (f.equals("avx2") || f.equals("avx512f") || f.equals("avx") || f.equals("fma")) {
                            out.add(f);
                        }
                    }
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc (not Linux): flags stay unknown
        }
        return out;
    }

    private static String childCore() {
        List<String> entries = new ArrayList<>(nonBlank(System.getProperty("java.class.path")));
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null) {
            // a module path names folders of jars (the distribution's lib/modules): on a class path they need '/*'
            for (String e : modulePath.split(java.io.File.pathSeparator)) {
                if (!e.isBlank()) {
                    entries.add(java.nio.file.Files.isDirectory(Path.of(e)) ? e + java.io.File.separator + "*" : e);
                }
            }
        }
        String cp = String.join(java.io.File.pathSeparator, entries);
        if (cp.isBlank()) {
            return null;
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = List.of(java.toString(), "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", cp,
                OpenBlasProbe.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OPENBLAS_VERBOSE", "2");
        try {
            Process p = pb.start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readNBytes(1 << 16);
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            Matcher m = CORE.matcher(new String(out, StandardCharsets.UTF_8));
            return m.find() ? m.group(1) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static List<String> nonBlank(String... s) {
        List<String> out = new ArrayList<>();
        for (String x : s) {
            if (x != null && !x.isBlank()) {
                out.add(x);
            }
        }
        return out;
    }
}
