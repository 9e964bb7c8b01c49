/**
 * DCD (Rao, Ding, Qi, Fang, Liu, Shen, Tao, "Dynamic Contrastive Distillation for Image-Text Retrieval", 2022) as a
 * Tessera plugin. A frozen cross-encoder teacher scores a pool of candidate texts for each image; the positive and the
 * K negatives the teacher scores highest go through a cheap student ({@link io.tessera.plugin.dcd.HardNegatives}),
 * and the student learns from the dynamic distillation loss ({@link io.tessera.plugin.dcd.DcdLoss}): a KD term towards
 * the teacher's scores and a hard-label term, weighted per sample by the entropy of the teacher's distribution, both
 * in the official code's form and in the per-sample form the paper describes. The plugin also provides a real
 * retrieval task built from Fashion-MNIST composites with templated captions, a transformer cross-encoder teacher
 * over the features of a pretrained item stem, dual-encoder students and smaller cross-encoder students copied from
 * teacher layers, and the {@code dcd/*} pipeline steps that train, distil and measure R@K both ways and the
 * teacher-versus-student latency. It computes only through {@code io.tessera.api} tensors.
 */
module io.tessera.plugin.dcd {
    requires transitive io.tessera.api;
    // the run's record of training epochs (EpochLog), which the pipeline engine offers as a step service
    requires io.tessera.training;
    requires jakarta.inject;
    // ImageIO for the query gallery PNG (as the W-PCA plugin's plots)
    requires java.desktop;
    requires static transitive org.apiguardian.api;

    exports io.tessera.plugin.dcd;

    provides io.tessera.api.plugin.Plugin with io.tessera.plugin.dcd.DcdPlugin;
    provides io.tessera.api.pipeline.Step with io.tessera.plugin.dcd.CompositesStep,
            io.tessera.plugin.dcd.TrainTeacherStep, io.tessera.plugin.dcd.DistillStep,
            io.tessera.plugin.dcd.EvaluateStep;
}
