/**
 * The optional Guice adapter of the Tessera host runtime, for an embedding application that brings Guice modules of
 * its own: {@link io.tessera.host.guice.GuiceBindings#install} adds their bindings to a host being built, and plugins
 * can then inject what they bind. The runtime itself keeps Guice out of its exported API; an application that does
 * not use Guice does not need this module.
 */
module io.tessera.host.guice {
    requires transitive io.tessera.host;
    requires transitive com.google.guice;
    requires static org.apiguardian.api;

    exports io.tessera.host.guice;
}
