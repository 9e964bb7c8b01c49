/**
 * The backend conformance suite: {@link io.tessera.testkit.conformance.BackendConformanceSuite} runs every op golden
 * case (PyTorch reference values) against a {@link io.tessera.api.tensor.TensorBackend}, forward and, through
 * autograd, backward.
 */
package io.tessera.testkit.conformance;
