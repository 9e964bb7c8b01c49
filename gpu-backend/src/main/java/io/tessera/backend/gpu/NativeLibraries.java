package io.tessera.backend.gpu;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Finds the system CUDA libraries the GPU backend needs, by file name, without loading anything: the driver
 * ({@code libcuda.so.1}), the runtime, cuBLAS, NVRTC and cuDNN of the major versions the bundled JavaCPP bindings
 * were built for. Looks in {@code -Dtessera.gpu.libraryPath} (colon-separated), {@code LD_LIBRARY_PATH},
 * {@code java.library.path}, the usual CUDA and distribution folders, and the dynamic linker's cache
 * ({@code ldconfig -p}). The provider reports what is missing before it touches JavaCPP, so a machine without a
 * driver never loads a native library.
 */
public final class NativeLibraries {
    /** System property: extra library folders, searched first. */
    public static final String LIBRARY_PATH = "tessera.gpu.libraryPath";

    private static final String[] FIXED = {"/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib",
            "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib/wsl/lib",
            "/usr/local/nvidia/lib64", "/usr/local/lib"};

    private NativeLibraries() {
    }

    /** The CUDA major version of the bundled bindings (13 for {@code org.bytedeco:cuda:13.1-9.19-1.5.13}). */
    public static int cudaMajor() {
        return Integer.parseInt(bindingsVersion().split("[.-]")[0]);
    }

    /** The cuDNN major version of the bundled bindings. */
    public static int cudnnMajor() {
        return Integer.parseInt(bindingsVersion().split("-")[1].split("\\.")[0]);
    }

    /** The {@code org.bytedeco:cuda} version this module was built against (from its build properties). */
    public static String bindingsVersion() {
        Properties p = new Properties();
        try (InputStream in = NativeLibraries.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the GPU backend's build.properties: " + e, e);
        }
        String v = p.getProperty("cuda.presets.version");
        if (v == null || v.startsWith("$")) {
            throw new IllegalStateException("the GPU backend's build.properties has no cuda.presets.version (was the"
                    + " jar built by Maven with resource filtering?)");
        }
        return v;
    }

    /** Library role to file name, in the order the backend needs them. */
    public static Map<String, String> required() {
        int cuda = cudaMajor();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("driver", "libcuda.so.1");
        m.put("runtime", "libcudart.so." + cuda);
        m.put("cuBLAS", "libcublas.so." + cuda);
        m.put("cuBLASLt", "libcublasLt.so." + cuda);
        m.put("NVRTC", "libnvrtc.so." + cuda);
        m.put("cuDNN", "libcudnn.so." + cudnnMajor());
        return m;
    }

    /** The folders searched, in order (only those that exist). */
    public static List<Path> searchPath() {
        Set<String> dirs = new LinkedHashSet<>();
        addAll(dirs, System.getProperty(LIBRARY_PATH));
        addAll(dirs, System.getenv("LD_LIBRARY_PATH"));
        addAll(dirs, System.getProperty("java.library.path"));
        for (String d : FIXED) {
            dirs.add(d);
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(Path.of("/usr/local"), "cuda-*")) {
            List<Path> versions = new ArrayList<>();
            s.forEach(versions::add);
            versions.sort((a, b) -> b.getFileName().toString().compareTo(a.getFileName().toString()));
            for (Path v : versions) {
                dirs.add(v.resolve("lib64").toString());
                dirs.add(v.resolve("targets/x86_64-linux/lib").toString());
            }
        } catch (IOException | RuntimeException e) {
            // no /usr/local/cuda-* folders: nothing to add
        }
        List<Path> out = new ArrayList<>();
        for (String d : dirs) {
            Path p = Path.of(d);
            if (Files.isDirectory(p)) {
                out.add(p);
            }
        }
        return out;
    }

    private static void addAll(Set<String> dirs, String path) {
        if (path == null || path.isBlank()) {
            return;
        }
        for (String d : path.split(":")) {
            if (!d.isBlank()) {
                dirs.add(d.trim());
            }
        }
    }

    /** Where {@code fileName} is, if anywhere: the search path first, then the linker cache. */
    public static Optional<Path> find(String fileName) {
        for (Path d : searchPath()) {
            Path f = d.resolve(fileName);
            if (Files.exists(f)) {
                return Optional.of(f);
            }
        }
        String cached = linkerCache().get(fileName);
        return cached == null ? Optional.empty() : Optional.of(Path.of(cached));
    }

    /** Every required library: role, file name, and where it was found (empty when missing). */
    public static List<Found> scan() {
        List<Found> out = new ArrayList<>();
        for (Map.Entry<String, String> e : required().entrySet()) {
            out.add(new Found(e.getKey(), e.getValue(), find(e.getValue())));
        }
        return out;
    }

    /**
     * One library looked for.
     *
     * @param role     what it is for ({@code driver}, {@code cuBLAS}, ...)
     * @param fileName the file (soname) looked for
     * @param path     where it is, empty when missing
     */
    public record Found(String role, String fileName, Optional<Path> path) {
        /** {@code role fileName: path} or {@code role fileName: MISSING}. */
        @Override
        public String toString() {
            return role + " " + fileName + ": " + path.map(Path::toString).orElse("MISSING");
        }
    }

    private static volatile Map<String, String> ldCache;

    /** {@code ldconfig -p}, parsed once (empty when ldconfig is not there). */
    static Map<String, String> linkerCache() {
        Map<String, String> c = ldCache;
        if (c != null) {
            return c;
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String exe : new String[] {"/sbin/ldconfig", "/usr/sbin/ldconfig"}) {
            if (!Files.isExecutable(Path.of(exe))) {
                continue;
            }
            try {
                Process p = new ProcessBuilder(exe, "-p").redirectErrorStream(true).start();
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        // "	libcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1"
                        int arrow = line.indexOf("=>");
                        if (arrow > 0 && line.contains("x86-64")) {
                            String name = line.trim().split("\\s+")[0];
                            m.putIfAbsent(name, line.substring(arrow + 2).trim());
                        }
                    }
                }
                p.waitFor(5, TimeUnit.SECONDS);
                p.destroy();
            } catch (IOException e) {
                // unreadable cache: the folders searched above are all we know
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            break;
        }
        ldCache = m;
        return m;
    }
}
