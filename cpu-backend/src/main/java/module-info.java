/**
 * The default Tessera tensor backend: CPU kernels on ND4J ({@code nd4j-native}; the build picks the
 * {@code linux-x86_64-onednn} natives, which use AVX-512 only through oneDNN's run-time CPU dispatch).
 * ND4J's module descriptors are broken, so ND4J stays on the class path and this named module reads the unnamed
 * module ({@code --add-reads io.tessera.backend.cpu=ALL-UNNAMED} at compile time, {@code Module.addReads} at run time).
 */
module io.tessera.backend.cpu {
    requires transitive io.tessera.api;
    requires static org.apiguardian.api;
    requires jdk.unsupported;

    exports io.tessera.backend.cpu;

    provides io.tessera.api.tensor.TensorBackendProvider with io.tessera.backend.cpu.CpuBackendProvider;
}
