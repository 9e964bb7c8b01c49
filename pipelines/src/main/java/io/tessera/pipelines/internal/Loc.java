package io.tessera.pipelines.internal;

/**
 * Where a value came from: a YAML file position (1-based line and column), a {@code --set} override, or a pipeline
 * built in Java (line 0).
 */
record Loc(String file, int line, int column) {

    static Loc of(String file) {
        return new Loc(file, 0, 0);
    }
}
