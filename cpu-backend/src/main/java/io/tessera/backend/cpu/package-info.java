/**
 * The {@code cpu} tensor backend on ND4J: {@link io.tessera.backend.cpu.CpuBackendProvider} is the
 * {@link java.util.ServiceLoader} entry point; the backend class, storage and host-side helpers are package-private.
 */
package io.tessera.backend.cpu;
