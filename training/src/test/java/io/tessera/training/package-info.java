/**
 * Tests of the training stack: nn modules, losses, optimizers and schedules, state dicts and weight files (moved from
 * the datasets plugin's test tree), the {@link io.tessera.training.Trainer} with its listeners, checkpoints and
 * resume, the reference models, and the Fashion-MNIST CNN benchmark ({@link io.tessera.training.FashionCnnBenchmark},
 * run by {@code bench/fashion-cnn.sh}). They compute on the CPU backend, a test-scope dependency.
 */
package io.tessera.training;
