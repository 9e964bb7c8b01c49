/**
 * DCD: {@link io.tessera.plugin.dcd.HardNegatives} (teacher-mined hard negatives, spec §3 steps 1-3),
 * {@link io.tessera.plugin.dcd.DcdLoss} (the dynamic distillation loss in its official and per-sample modes, §3 steps
 * 5-10), {@link io.tessera.plugin.dcd.CosineScores} (the student's {@code logit_scale · cos} score); the retrieval
 * task ({@link io.tessera.plugin.dcd.Composites}), the teacher ({@link io.tessera.plugin.dcd.CrossEncoder} over an
 * {@link io.tessera.plugin.dcd.ItemStem}), the students ({@link io.tessera.plugin.dcd.DualEncoder},
 * {@link io.tessera.plugin.dcd.CrossEncoder#smallerCopy}) and the {@code dcd/*} pipeline steps. See docs/methods/dcd.md.
 */
package io.tessera.plugin.dcd;
