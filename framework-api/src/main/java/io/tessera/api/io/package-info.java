/** Reading and writing arrays and weights: NumPy {@code .npy}, safetensors. */
package io.tessera.api.io;
