/**
 * The {@code tessera} command line: picocli commands that start a host over the distribution's plugins and print
 * their states ({@code plugins}), the tensor backends ({@code backends}), the steps and their config schemas
 * ({@code steps}, {@code describe}), check and run pipelines ({@code validate}, {@code run}), and the launcher's main
 * class ({@link io.tessera.cli.TesseraCli}). Nothing depends on this module; it exports nothing.
 */
module io.tessera.cli {
    requires io.tessera.host;
    requires io.tessera.pipelines;
    requires info.picocli;
    requires com.fasterxml.jackson.databind;

    // picocli fills the command classes reflectively
    opens io.tessera.cli to info.picocli;
}
