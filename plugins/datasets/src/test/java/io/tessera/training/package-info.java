/**
 * Tests of the training stack of {@code io.tessera.api} (nn, losses, optimizers, schedules, state dicts and weight
 * files) on the real CPU backend, and the Fashion-MNIST CNN benchmark ({@link io.tessera.training.FashionCnnBenchmark},
 * run by {@code bench/fashion-cnn.sh}). They live in the datasets plugin's test tree because it is the first module
 * downstream of both the API and a backend.
 */
package io.tessera.training;
