package io.tessera.cli;

import io.tessera.api.TesseraApi;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.util.Optional;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version of this Tessera build, from the CLI module's descriptor or, on the class path, its Maven metadata. */
final class TesseraVersion {

    private static final String POM_PROPERTIES = "/META-INF/maven/io.tessera/tessera-cli/pom.properties";

    private TesseraVersion() {
    }

    /** The host version, e.g. {@code 1.0.0}, or {@code unknown} when built without version metadata. */
    static String host() {
        Optional<String> fromModule = Optional.ofNullable(TesseraVersion.class.getModule().getDescriptor())
                .flatMap(ModuleDescriptor::rawVersion);
        return fromModule.or(TesseraVersion::fromPomProperties).orElse("unknown");
    }

    /** The plugin API version this host implements. */
    static String api() {
        return TesseraApi.VERSION;
    }

    private static Optional<String> fromPomProperties() {
        try (InputStream in = TesseraVersion.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in == null) {
                return Optional.empty();
            }
            Properties properties = new Properties();
            properties.load(in);
            return Optional.ofNullable(properties.getProperty("version"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + POM_PROPERTIES, e);
        }
    }

    /** What {@code tessera --version} prints. */
    static String oneLine() {
        return "tessera " + host() + " (API " + api() + ")";
    }

    /** Feeds {@code tessera --version} through picocli. */
    static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {oneLine()};
        }
    }
}
