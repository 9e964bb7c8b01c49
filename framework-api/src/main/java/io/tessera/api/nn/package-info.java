/**
 * Neural-network building blocks above the tensor API: the {@link io.tessera.api.nn.Module} base with named
 * parameters, buffers and PyTorch-compatible state dicts; layers (linear, convolution, normalisation, pooling,
 * dropout, embedding, activations, {@link io.tessera.api.nn.Sequential}, {@link io.tessera.api.nn.ModuleList}; the
 * transformer layers {@link io.tessera.api.nn.MultiheadAttention}, {@link io.tessera.api.nn.TransformerEncoderLayer} and
 * {@link io.tessera.api.nn.TransformerEncoder}); PyTorch's default initialisations
 * ({@link io.tessera.api.nn.Init}); and losses ({@link io.tessera.api.nn.Losses}). Every random initialisation takes a
 * {@link io.tessera.api.tensor.Generator}, so a seed fixes a model.
 */
package io.tessera.api.nn;
