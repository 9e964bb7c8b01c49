package io.tessera.testkit.golden;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apiguardian.api.API;

/** Finds golden case folders: a folder given by a system property, or the copy bundled in the test kit. */
@API(status = API.Status.STABLE, since = "1.0")
public final class GoldenCases {
    /** System property naming an op golden folder to run instead of the bundled one (same layout). */
    public static final String OPS_PROPERTY = "tessera.golden.ops";

    private GoldenCases() {
    }

    /** The op golden root: {@code -Dtessera.golden.ops=DIR} when set, else the bundled copy. */
    public static Path opsRoot() {
        String override = System.getProperty(OPS_PROPERTY);
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override);
            if (!Files.isDirectory(p)) {
                throw new IllegalArgumentException("-D" + OPS_PROPERTY + "=" + override
                        + " is not a folder; point it at a folder of <test>/case-<n>/manifest.json");
            }
            return p;
        }
        return bundled("/io/tessera/testkit/golden/ops");
    }

    /**
     * The golden cases of a method plugin: those bundled in its test resources under {@code /golden/<method>}, then
     * every case in the folder named by {@code -Dtessera.golden.<method>=DIR} (same layout) when that is set, so that
     * golden tests also run cases they were not shipped with.
     *
     * @throws IllegalArgumentException when the property names something that is not a folder of cases
     */
    public static List<GoldenCase> ofMethod(String method) {
        List<GoldenCase> out = new java.util.ArrayList<>(list(bundled("/golden/" + method)));
        String property = "tessera.golden." + method;
        String extra = System.getProperty(property);
        if (extra != null && !extra.isBlank()) {
            Path p = Path.of(extra);
            if (!Files.isDirectory(p)) {
                throw new IllegalArgumentException("-D" + property + "=" + extra + " is not a folder; point it at a"
                        + " folder of case-<n>/manifest.json in the layout of golden/" + method);
            }
            List<GoldenCase> found = list(p);
            if (found.isEmpty()) {
                throw new IllegalArgumentException("-D" + property + "=" + extra + " holds no case-*/manifest.json");
            }
            out.addAll(found);
        }
        return out;
    }

    /** Every case folder under {@code root} (any depth) that holds a {@code manifest.json}, sorted by path. */
    public static List<GoldenCase> list(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.getFileName() != null && p.getFileName().toString().equals("manifest.json"))
                    .map(Path::getParent).sorted((a, b) -> a.toString().compareTo(b.toString()))
                    .map(GoldenCase::load).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list golden cases under " + root, e);
        }
    }

    /** A resource folder on the class path as a {@link Path}, whether it lies in a folder or inside a jar. */
    public static Path bundled(String resourceFolder) {
        URL url = GoldenCases.class.getResource(resourceFolder);
        if (url == null) {
            throw new IllegalStateException("bundled golden folder " + resourceFolder + " is missing from the test kit");
        }
        try {
            URI uri = url.toURI();
            if (uri.getScheme().equals("jar")) {
                FileSystem fs;
                try {
                    fs = FileSystems.newFileSystem(uri, Map.of());
                } catch (FileSystemAlreadyExistsException e) {
                    fs = FileSystems.getFileSystem(uri);
                }
                return fs.provider().getPath(uri);
            }
            return Path.of(uri);
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("cannot open bundled golden folder " + url, e);
        }
    }
}
