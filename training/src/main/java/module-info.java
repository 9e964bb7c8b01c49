/**
 * Tessera training: the training loop on top of the tensor API ({@code io.tessera.api}). A
 * {@link io.tessera.training.Trainer} fits a model with a {@link io.tessera.training.Loss}, an optimizer and a
 * learning-rate schedule chosen by typed {@link io.tessera.training.TrainingOptions}, and tells
 * {@link io.tessera.training.TrainingListener listeners} what happens: checkpoints (and resume from the newest one),
 * metrics, progress and early stopping. {@code io.tessera.training.pipeline} connects the loop to pipeline steps
 * (the {@code training:} config block, the step's checkpoints, metrics and progress);
 * {@code io.tessera.training.models} holds the reference models ({@code core/train}'s CNN and MLP, which method plugins extend). Plugins that train
 * require this module besides the API; the API itself holds no training loop.
 */
module io.tessera.training {
    requires transitive io.tessera.api;
    requires static org.apiguardian.api;

    exports io.tessera.training;
    exports io.tessera.training.models;
    exports io.tessera.training.pipeline;
}
