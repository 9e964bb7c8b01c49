package io.tessera.api.tensor;

import org.apiguardian.api.API;

/** Resampling modes of {@link Functional#interpolate}. */
@API(status = API.Status.STABLE, since = "1.0")
public enum InterpolationMode {
    /** PyTorch's legacy {@code nearest}: {@code src = min(floor(dst * in / out), in - 1)}. */
    NEAREST,
    /** Separable linear interpolation along H then W, with or without {@code align_corners}. */
    BILINEAR
}
