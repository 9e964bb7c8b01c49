/**
 * The {@code tessera} command line (picocli): {@code plugins}, {@code backends} and {@code version}, with exit codes
 * 0 (ok), 1 (failure) and 2 (usage or validation error). The JSON printed by {@code --json} is a contract that
 * tooling depends on; {@code docs/cli.md} describes it. Not exported: the entry point is
 * {@link io.tessera.cli.TesseraCli#main}, started by {@code bin/tessera}.
 */
package io.tessera.cli;
