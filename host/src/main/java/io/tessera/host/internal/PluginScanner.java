package io.tessera.host.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Lists the plugin sources of plugin folders without opening any jar: each {@code *.jar} directly in a folder is one
 * plugin, each sub-folder with jars (searched two levels deep, e.g. {@code lib/}) is one plugin. Hidden files and
 * partial downloads ({@code .part}, {@code .tmp}, {@code .crdownload}) are ignored.
 */
final class PluginScanner {

    private PluginScanner() {
    }

    /** The sources of all folders, keyed by path, in folder order then name order; missing folders yield none. */
    static Map<Path, PluginSource> scan(List<Path> directories) {
        Map<Path, PluginSource> result = new LinkedHashMap<>();
        for (Path dir : directories) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            List<Path> entries = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                for (Path entry : stream) {
                    entries.add(entry);
                }
            } catch (IOException e) {
                continue;
            }
            entries.sort(null);
            for (Path entry : entries) {
                if (ignored(entry)) {
                    continue;
                }
                try {
                    if (Files.isRegularFile(entry) && isJar(entry)) {
                        result.put(entry, new PluginSource(entry, List.of(entry), fingerprint(List.of(entry))));
                    } else if (Files.isDirectory(entry)) {
                        List<Path> jars = jarsIn(entry);
                        if (!jars.isEmpty()) {
                            result.put(entry, new PluginSource(entry, jars, fingerprint(jars)));
                        }
                    }
                } catch (NoSuchFileException e) {
                    // deleted while scanning: it is simply not there
                } catch (IOException e) {
                    // unreadable entry: treat as absent this round; a later scan sees it again
                }
            }
        }
        return result;
    }

    static boolean isJar(Path p) {
        return p.getFileName().toString().endsWith(".jar");
    }

    private static boolean ignored(Path p) {
        String name = p.getFileName().toString();
        return name.startsWith(".") || name.endsWith(".part") || name.endsWith(".tmp")
                || name.endsWith(".crdownload") || name.endsWith("~");
    }

    private static List<Path> jarsIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.find(folder, 2,
                (p, attrs) -> attrs.isRegularFile() && isJar(p) && !ignored(p))) {
            return files.sorted().toList();
        }
    }

    private static String fingerprint(List<Path> jars) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Path jar : jars) {
            BasicFileAttributes a = Files.readAttributes(jar, BasicFileAttributes.class);
            sb.append(jar.getFileName()).append(':').append(a.size()).append(':')
                    .append(a.lastModifiedTime().toMillis()).append(';');
        }
        return sb.toString();
    }
}
