/**
 * The backend conformance suite: {@link io.tessera.testkit.conformance.BackendConformanceSuite} runs every op golden
 * case (PyTorch reference values) against a {@link io.tessera.api.tensor.TensorBackend}, forward and, through
 * autograd, backward; the semantics reproductions ({@link io.tessera.testkit.conformance.SemanticsCases}); and the
 * differential fuzz corpus ({@link io.tessera.testkit.conformance.FuzzCorpus}) of op-chain programs with PyTorch's
 * outputs and gradients.
 */
package io.tessera.testkit.conformance;
