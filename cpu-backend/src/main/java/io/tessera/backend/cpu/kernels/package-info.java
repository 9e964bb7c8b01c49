/**
 * CPU kernels as pure functions over ND4J arrays (float32, C order, NCHW activations, OIHW weights): forward and the
 * backward kernels that cannot be composed from other ops. Inputs are never modified; results are new arrays.
 */
package io.tessera.backend.cpu.kernels;
