package io.tessera.api.nn;

import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Tensor;
import java.util.Arrays;
import org.apiguardian.api.API;

/** Max pooling, PyTorch's {@code nn.MaxPool2d} (stride defaults to the kernel size). */
@API(status = API.Status.STABLE, since = "1.0")
public final class MaxPool2d extends Module {
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final boolean ceilMode;

    /** Square {@code kernelSize} window, stride = kernel, no padding. */
    public MaxPool2d(int kernelSize) {
        this(new int[] {kernelSize, kernelSize}, null, new int[] {0, 0}, new int[] {1, 1}, false);
    }

    /** Square window with explicit stride and padding. */
    public MaxPool2d(int kernelSize, int stride, int padding) {
        this(new int[] {kernelSize, kernelSize}, new int[] {stride, stride}, new int[] {padding, padding},
                new int[] {1, 1}, false);
    }

    /** Every setting; {@code stride} null means the kernel size. */
    public MaxPool2d(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        this.kernel = NnChecks.pair("kernel", kernel, 1);
        this.stride = stride == null ? this.kernel.clone() : NnChecks.pair("stride", stride, 1);
        this.padding = NnChecks.pair("padding", padding, 0);
        this.dilation = NnChecks.pair("dilation", dilation, 1);
        this.ceilMode = ceilMode;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.maxPool2d(input, kernel, stride, padding, dilation, ceilMode);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + Arrays.toString(kernel) + ", stride=" + Arrays.toString(stride) + ", padding="
                + Arrays.toString(padding);
    }
}
