/**
 * The reference models: {@link io.tessera.training.models.ReferenceCnn}, the project's reference CNN (the model of
 * {@code core/train}'s {@code cnn-small}, of the Fashion-MNIST benchmark and of the PyTorch peer comparison), whose
 * convolutions a method plugin may replace (FDConv, CondConv), and {@link io.tessera.training.models.Mlp}.
 */
package io.tessera.training.models;
