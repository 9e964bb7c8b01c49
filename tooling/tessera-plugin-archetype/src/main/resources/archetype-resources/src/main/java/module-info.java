/**
 * The ${artifactId} Tessera plugin: the {@code ${stepPrefix}/scale} pipeline step. Its identity is this module: the
 * name is the plugin id, {@code --module-version} (the project version) the plugin version; the build writes the
 * manifest from it.
 */
module ${package} {
    // transitive: the exported step and config types show API types to whoever reads this module
    requires transitive io.tessera.api;

    // the config record's package: exported, so the host reads it on the module path too
    exports ${package};

    provides io.tessera.api.pipeline.Step with ${package}.ScaleStep;
}
