package io.tessera.plugin.dcd;

import io.tessera.api.tensor.TensorBackend;
import org.apiguardian.api.API;

/**
 * A trained model that scores every image of a set against every caption, for retrieval metrics and latency: the
 * teacher ({@link CrossEncoder}, one pass per pair) or a student ({@link DualEncoder}, one embedding per item).
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public interface RetrievalModel {

    /** {@code [images.length][captions.length]} scores of images against captions of {@code set}. */
    double[][] scores(TensorBackend b, Composites set, int[] images, int[] captions);

    /**
     * Milliseconds to rank {@code captions.length} candidate captions for the image {@code image}, as a deployed
     * ranker would: a student has its caption embeddings cached, a teacher runs every pair.
     */
    double rankMillis(TensorBackend b, Composites set, int image, int[] captions);

    /** The model as a {@link io.tessera.api.nn.Module} (parameter count, saving). */
    io.tessera.api.nn.Module module();
}
