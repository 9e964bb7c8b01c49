package io.tessera.api.tensor;

import org.apiguardian.api.API;

/** Scaling of the discrete Fourier transforms in {@link Fft}, with NumPy/PyTorch names. */
@API(status = API.Status.STABLE, since = "1.0")
public enum FftNorm {
    /** Forward unscaled, inverse scaled by {@code 1/n} (the default). */
    BACKWARD,
    /** Both directions scaled by {@code 1/sqrt(n)}. */
    ORTHO,
    /** Forward scaled by {@code 1/n}, inverse unscaled. */
    FORWARD;

    /** The norm whose inverse is this norm's adjoint: {@code BACKWARD <-> FORWARD}, {@code ORTHO} stays. */
    public FftNorm dual() {
        return switch (this) {
            case BACKWARD -> FORWARD;
            case FORWARD -> BACKWARD;
            case ORTHO -> ORTHO;
        };
    }

    /** The factor a transform of {@code n} points is multiplied by, in the forward or inverse direction. */
    public double scale(long n, boolean inverse) {
        return switch (this) {
            case BACKWARD -> inverse ? 1.0 / n : 1.0;
            case FORWARD -> inverse ? 1.0 : 1.0 / n;
            case ORTHO -> 1.0 / Math.sqrt(n);
        };
    }

    /** Parses {@code backward}, {@code ortho} or {@code forward} (case-insensitive). */
    public static FftNorm parse(String s) {
        for (FftNorm n : values()) {
            if (n.name().equalsIgnoreCase(s)) {
                return n;
            }
        }
        throw new IllegalArgumentException("unknown FFT norm '" + s + "'; use backward, ortho or forward");
    }
}
