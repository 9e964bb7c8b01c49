/**
 * Optimizers with PyTorch's update rules ({@link io.tessera.api.optim.Sgd}, {@link io.tessera.api.optim.Adam},
 * {@link io.tessera.api.optim.AdamW}), learning-rate schedules ({@link io.tessera.api.optim.LrScheduler} and its
 * implementations) and gradient clipping ({@link io.tessera.api.optim.GradClip}).
 */
package io.tessera.api.optim;
