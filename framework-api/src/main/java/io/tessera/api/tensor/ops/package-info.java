/**
 * The tensor op families behind {@link io.tessera.api.tensor.Tensor}'s methods, each with its forward pass, its
 * validation and its derivative rules: {@code ElementwiseOps}, {@code ReductionOps}, {@code ShapeOps},
 * {@code IndexOps}, {@code ProductOps}, with shared argument checks in {@code Checks}. Not exported: the module
 * shares it with {@code Tensor} (through {@code Access}) without publishing it.
 */
package io.tessera.api.tensor.ops;
