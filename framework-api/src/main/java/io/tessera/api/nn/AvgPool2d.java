package io.tessera.api.nn;

import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Tensor;
import java.util.Arrays;
import org.apiguardian.api.API;

/** Average pooling, PyTorch's {@code nn.AvgPool2d} (stride defaults to the kernel size). */
@API(status = API.Status.STABLE, since = "1.0")
public final class AvgPool2d extends Module {
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final boolean ceilMode;
    private final boolean countIncludePad;

    /** Square window, stride = kernel, no padding. */
    public AvgPool2d(int kernelSize) {
        this(new int[] {kernelSize, kernelSize}, null, new int[] {0, 0}, false, true);
    }

    /** Every setting; {@code stride} null means the kernel size. */
    public AvgPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        this.kernel = NnChecks.pair("kernel", kernel, 1);
        this.stride = stride == null ? this.kernel.clone() : NnChecks.pair("stride", stride, 1);
        this.padding = NnChecks.pair("padding", padding, 0);
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.avgPool2d(input, kernel, stride, padding, ceilMode, countIncludePad);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + Arrays.toString(kernel) + ", stride=" + Arrays.toString(stride) + ", padding="
                + Arrays.toString(padding);
    }
}
