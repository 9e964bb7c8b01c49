package io.tessera.api.data;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One image with its class label. Pixels are floats in [0, 1] (as torchvision's {@code ToTensor} gives), laid out
 * channel-major: {@code pixels[(c * height + y) * width + x]}.
 *
 * @param pixels   {@code channels * height * width} values
 * @param channels number of channels (1 for grey)
 * @param height   rows
 * @param width    columns
 * @param label    class index
 */
@API(status = API.Status.STABLE, since = "1.0")
public record LabeledImage(float[] pixels, int channels, int height, int width, int label) {

    public LabeledImage {
        Objects.requireNonNull(pixels, "pixels");
        if (pixels.length != channels * height * width) {
            throw new IllegalArgumentException("an image of " + channels + "x" + height + "x" + width + " needs "
                    + channels * height * width + " pixels, got " + pixels.length);
        }
        pixels = pixels.clone();
    }

    @Override
    public float[] pixels() {
        return pixels.clone();
    }

    /** The pixel at channel {@code c}, row {@code y}, column {@code x}. */
    public float pixel(int c, int y, int x) {
        return pixels[(c * height + y) * width + x];
    }
}
