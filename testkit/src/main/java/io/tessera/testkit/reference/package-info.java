/**
 * The reference tensor backend: {@link io.tessera.testkit.reference.ReferenceKernels} implements only the primitive
 * core of {@link io.tessera.api.tensor.spi.TensorKernels} in plain Java loops with float64 accumulation, so every
 * other kernel runs its default composition. It is the oracle new backends are compared with, and it lets the API
 * module test itself without a native backend.
 */
package io.tessera.testkit.reference;
