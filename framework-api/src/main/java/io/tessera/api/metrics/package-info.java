/**
 * Evaluation metrics as plain functions over labels, label maps and embeddings: {@link
 * io.tessera.api.metrics.ConfusionMatrix} (accuracy, per-class accuracy, precision, recall, F1, IoU), {@link
 * io.tessera.api.metrics.SegmentationMetrics} (mIoU and mean F1 with a void label) and {@link
 * io.tessera.api.metrics.RetrievalMetrics} (Recall@K). The {@code core/evaluate} pipeline step uses them; plugins
 * use them for their own tasks.
 */
package io.tessera.api.metrics;
