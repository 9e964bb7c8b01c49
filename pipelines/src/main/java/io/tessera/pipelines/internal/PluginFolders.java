package io.tessera.pipelines.internal;

import io.tessera.api.problem.Problem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * The {@code plugins:} key of a pipeline file: folders of plugin jars the host must load before the pipeline is
 * validated, relative to the pipeline file's folder. Read on its own, before a host exists, so that a command can add
 * them to the host it starts; {@link PipelineValidator} checks the key's shape with the rest of the file.
 */
public final class PluginFolders {

    private PluginFolders() {
    }

    /**
     * The folders the pipeline file names in {@code plugins:}, absolute; empty if it names none or cannot be read (the
     * validation reports a malformed file in full).
     */
    public static List<Path> of(Path pipelineFile) {
        String text;
        try {
            text = YamlTree.readFile(pipelineFile);
        } catch (IOException e) {
            return List.of();
        }
        List<Problem> problems = new ArrayList<>();
        Node root = YamlTree.read(text, pipelineFile.toString(), problems);
        if (!(root instanceof MappingNode top)) {
            return List.of();
        }
        List<String> names = YamlTree.get(top, "plugins").map(PluginFolders::names).orElse(null);
        if (names == null) {
            return List.of();
        }
        Path base = pipelineFile.toAbsolutePath().getParent();
        List<Path> folders = new ArrayList<>();
        for (String folder : names) {
            folders.add(base.resolve(folder).normalize());
        }
        return folders;
    }

    /**
     * The folder names of a {@code plugins:} value: a list of non-blank strings, or one; {@code null} when it is
     * anything else.
     */
    static List<String> names(Node node) {
        List<String> names = new ArrayList<>();
        if (YamlTree.scalar(node) instanceof String str) {
            if (str.isBlank()) {
                return null;
            }
            names.add(str.strip());
            return names;
        }
        if (!(node instanceof SequenceNode list)) {
            return null;
        }
        for (Node item : list.getValue()) {
            if (!(YamlTree.scalar(item) instanceof String str) || str.isBlank()) {
                return null;
            }
            names.add(str.strip());
        }
        return names;
    }
}
