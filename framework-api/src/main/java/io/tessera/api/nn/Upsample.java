package io.tessera.api.nn;

import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.InterpolationMode;
import io.tessera.api.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;
import org.apiguardian.api.API;

/**
 * Resampling of NCHW inputs, PyTorch's {@code nn.Upsample}: to a fixed size or by a scale factor
 * ({@code floor(in * scale)}), nearest (legacy {@code 'nearest'}) or bilinear.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class Upsample extends Module {
    private final int[] size;
    private final double scaleH;
    private final double scaleW;
    private final InterpolationMode mode;
    private final boolean alignCorners;

    private Upsample(int[] size, double scaleH, double scaleW, InterpolationMode mode, boolean alignCorners) {
        if (mode == InterpolationMode.NEAREST && alignCorners) {
            throw new IllegalArgumentException("Upsample: align_corners applies to bilinear mode only");
        }
        this.size = size;
        this.scaleH = scaleH;
        this.scaleW = scaleW;
        this.mode = mode;
        this.alignCorners = alignCorners;
    }

    /** Resampling to {@code [oH, oW]}. */
    public static Upsample toSize(int[] size, InterpolationMode mode, boolean alignCorners) {
        return new Upsample(NnChecks.pair("size", size, 1), 0, 0, mode, alignCorners);
    }

    /** Resampling by {@code scale} on both axes. */
    public static Upsample byScale(double scale, InterpolationMode mode, boolean alignCorners) {
        if (!(scale > 0)) {
            throw new IllegalArgumentException("Upsample: scale factor must be > 0, got " + scale);
        }
        return new Upsample(null, scale, scale, mode, alignCorners);
    }

    @Override
    public Tensor forward(Tensor input) {
        return size != null ? Functional.interpolate(input, size, mode, alignCorners)
                : Functional.interpolate(input, scaleH, scaleW, mode, alignCorners);
    }

    @Override
    protected String extraRepr() {
        return (size != null ? "size=" + Arrays.toString(size) : "scale_factor=" + scaleH) + ", mode="
                + mode.name().toLowerCase(Locale.ROOT);
    }
}
