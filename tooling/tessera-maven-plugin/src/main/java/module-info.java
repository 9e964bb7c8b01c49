/**
 * The Tessera Maven plugin ({@code tessera:manifest}, {@code tessera:verify-jar}): derives a plugin's manifest from its
 * module-info and fails the build on what the host could not load. Maven runs plugins on the class path of their
 * class realm, so this descriptor matters to the compiler only; it requires just Maven's plugin API (the mojos take
 * the project's values as parameters, not {@code MavenProject}, because maven-core and maven-plugin-api both hold
 * the package {@code org.apache.maven.plugin} and cannot be read by one module).
 */
module io.tessera.maven {
    requires io.tessera.api;
    requires maven.plugin.api;
    requires static maven.plugin.annotations;

    exports io.tessera.maven;
}
