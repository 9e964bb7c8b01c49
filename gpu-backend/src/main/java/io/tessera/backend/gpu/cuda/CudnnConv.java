package io.tessera.backend.gpu.cuda;

import static org.bytedeco.cuda.global.cudnn.CUDNN_CROSS_CORRELATION;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DATA_DOUBLE;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DATA_FLOAT;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_FMA_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_NCHW;

import io.tessera.api.tensor.BinaryOp;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.ReduceOp;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.spi.TensorKernels.ConvGrads;
import io.tessera.api.tensor.spi.TensorStorage;
import io.tessera.backend.gpu.DeviceAllocator;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdDataAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdFilterAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * 2-D convolution and its gradients through cuDNN (NCHW, cross-correlation, groups and dilation), with the algorithm
 * chosen by cuDNN's heuristics among those whose workspace fits. FMA math by default (no TF32, so float32 results
 * agree with the CPU within float32 rounding); {@code -Dtessera.gpu.tf32=true} lets cuDNN use TF32 tensor cores, as
 * PyTorch does by default for convolutions. The bias is added and reduced by the backend's own kernels.
 */
final class CudnnConv implements AutoCloseable {
    private static final long MAX_WORKSPACE = 1L << 30;

    private final GpuKernels k;
    private final cudnnContext handle = new cudnnContext();

    CudnnConv(GpuKernels kernels) {
        this.k = kernels;
        Cuda.checkDnn(cudnn.cudnnCreate(handle), "cudnnCreate");
    }

    @Override
    public void close() {
        cudnn.cudnnDestroy(handle);
    }

    /** Descriptors of one convolution; closes them all. */
    private final class Descs implements AutoCloseable {
        final cudnnTensorStruct x = new cudnnTensorStruct();
        final cudnnTensorStruct y = new cudnnTensorStruct();
        final cudnnFilterStruct w = new cudnnFilterStruct();
        final cudnnConvolutionStruct conv = new cudnnConvolutionStruct();
        final int type;
        final Shape out;

        Descs(Shape xs, Shape ws, DType dtype, int[] stride, int[] padding, int[] dilation, int groups) {
            type = dtype == DType.FLOAT64 ? CUDNN_DATA_DOUBLE : CUDNN_DATA_FLOAT;
            Cuda.checkDnn(cudnn.cudnnCreateTensorDescriptor(x), "cudnnCreateTensorDescriptor");
            Cuda.checkDnn(cudnn.cudnnCreateTensorDescriptor(y), "cudnnCreateTensorDescriptor");
            Cuda.checkDnn(cudnn.cudnnCreateFilterDescriptor(w), "cudnnCreateFilterDescriptor");
            Cuda.checkDnn(cudnn.cudnnCreateConvolutionDescriptor(conv), "cudnnCreateConvolutionDescriptor");
            int n = (int) xs.dim(0);
            int h = (int) xs.dim(2);
            int wd = (int) xs.dim(3);
            int co = (int) ws.dim(0);
            int kh = (int) ws.dim(2);
            int kw = (int) ws.dim(3);
            Cuda.checkDnn(cudnn.cudnnSetTensor4dDescriptor(x, CUDNN_TENSOR_NCHW, type, n, (int) xs.dim(1), h, wd),
                    "conv2d input " + xs);
            Cuda.checkDnn(cudnn.cudnnSetFilter4dDescriptor(w, type, CUDNN_TENSOR_NCHW, co, (int) ws.dim(1), kh, kw),
                    "conv2d weight " + ws);
            Cuda.checkDnn(cudnn.cudnnSetConvolution2dDescriptor(conv, padding[0], padding[1], stride[0], stride[1],
                    dilation[0], dilation[1], CUDNN_CROSS_CORRELATION, type), "conv2d descriptor");
            Cuda.checkDnn(cudnn.cudnnSetConvolutionGroupCount(conv, groups), "conv2d groups");
            Cuda.checkDnn(cudnn.cudnnSetConvolutionMathType(conv, Boolean.getBoolean("tessera.gpu.tf32")
                    ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH), "conv2d math type");
            int oh = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) / stride[0] + 1;
            int ow = (wd + 2 * padding[1] - dilation[1] * (kw - 1) - 1) / stride[1] + 1;
            out = Shape.of(n, co, oh, ow);
            Cuda.checkDnn(cudnn.cudnnSetTensor4dDescriptor(y, CUDNN_TENSOR_NCHW, type, n, co, oh, ow),
                    "conv2d output " + out);
        }

        Pointer one() {
            return type == CUDNN_DATA_DOUBLE ? new DoublePointer(1d) : new FloatPointer(1f);
        }

        Pointer zero() {
            return type == CUDNN_DATA_DOUBLE ? new DoublePointer(0d) : new FloatPointer(0f);
        }

        @Override
        public void close() {
            cudnn.cudnnDestroyTensorDescriptor(x);
            cudnn.cudnnDestroyTensorDescriptor(y);
            cudnn.cudnnDestroyFilterDescriptor(w);
            cudnn.cudnnDestroyConvolutionDescriptor(conv);
        }
    }

    private static Pointer at(GpuStorage s) {
        return GpuKernels.at(s.address());
    }

    TensorStorage forward(GpuStorage x, GpuStorage w, GpuStorage bias, int[] stride, int[] padding, int[] dilation,
                          int groups) {
        try (Descs d = new Descs(x.shape, w.shape, x.dtype, stride, padding, dilation, groups)) {
            GpuStorage y = k.alloc(d.out, x.dtype);
            try {
                int count = 8;
                IntPointer returned = new IntPointer(1);
                int algo = -1;
                long ws = 0;
                try (cudnnConvolutionFwdAlgoPerf_t perf = new cudnnConvolutionFwdAlgoPerf_t(count)) {
                    Cuda.checkDnn(cudnn.cudnnGetConvolutionForwardAlgorithm_v7(handle, d.x, d.w, d.conv, d.y, count,
                            returned, perf), "conv2d algorithm");
                    for (int i = 0; i < returned.get(); i++) {
                        cudnnConvolutionFwdAlgoPerf_t p = perf.getPointer(i);
                        if (p.status() == CUDNN_STATUS_SUCCESS && p.memory() <= MAX_WORKSPACE) {
                            algo = p.algo();
                            ws = p.memory();
                            break;
                        }
                    }
                }
                if (algo < 0) {
                    throw new IllegalStateException("cuDNN has no forward algorithm for conv2d of " + x.shape + " with "
                            + w.shape);
                }
                DeviceAllocator.Block work = k.allocator().allocate(Math.max(1, ws));
                try {
                    Cuda.checkDnn(cudnn.cudnnConvolutionForward(handle, d.one(), d.x, at(x), d.w, at(w), d.conv, algo,
                            GpuKernels.at(work.address()), ws, d.zero(), d.y, at(y)), "cudnnConvolutionForward");
                } finally {
                    k.allocator().release(work);
                }
                if (bias == null) {
                    return y;
                }
                try (TensorStorage b4 = k.reshape(bias, Shape.of(1, bias.shape.dim(0), 1, 1)); GpuStorage yy = y) {
                    return k.binary(BinaryOp.ADD, yy, b4);
                }
            } catch (RuntimeException e) {
                if (!y.isClosed()) {
                    y.close();
                }
                throw e;
            }
        }
    }

    ConvGrads backward(GpuStorage x, GpuStorage w, boolean hasBias, GpuStorage gy, int[] stride, int[] padding,
                       int[] dilation, int groups) {
        try (Descs d = new Descs(x.shape, w.shape, x.dtype, stride, padding, dilation, groups)) {
            GpuStorage dx = k.alloc(x.shape, x.dtype);
            GpuStorage dw = k.alloc(w.shape, w.dtype);
            try {
                int count = 8;
                IntPointer returned = new IntPointer(1);
                int dataAlgo = -1;
                long dataWs = 0;
                try (cudnnConvolutionBwdDataAlgoPerf_t perf = new cudnnConvolutionBwdDataAlgoPerf_t(count)) {
                    Cuda.checkDnn(cudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(handle, d.w, d.y, d.conv, d.x,
                            count, returned, perf), "conv2d backward-data algorithm");
                    for (int i = 0; i < returned.get(); i++) {
                        cudnnConvolutionBwdDataAlgoPerf_t p = perf.getPointer(i);
                        if (p.status() == CUDNN_STATUS_SUCCESS && p.memory() <= MAX_WORKSPACE) {
                            dataAlgo = p.algo();
                            dataWs = p.memory();
                            break;
                        }
                    }
                }
                int filterAlgo = -1;
                long filterWs = 0;
                try (cudnnConvolutionBwdFilterAlgoPerf_t perf = new cudnnConvolutionBwdFilterAlgoPerf_t(count)) {
                    Cuda.checkDnn(cudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(handle, d.x, d.y, d.conv, d.w,
                            count, returned, perf), "conv2d backward-filter algorithm");
                    for (int i = 0; i < returned.get(); i++) {
                        cudnnConvolutionBwdFilterAlgoPerf_t p = perf.getPointer(i);
                        if (p.status() == CUDNN_STATUS_SUCCESS && p.memory() <= MAX_WORKSPACE) {
                            filterAlgo = p.algo();
                            filterWs = p.memory();
                            break;
                        }
                    }
                }
                if (dataAlgo < 0 || filterAlgo < 0) {
                    throw new IllegalStateException("cuDNN has no backward algorithm for conv2d of " + x.shape
                            + " with " + w.shape);
                }
                DeviceAllocator.Block work = k.allocator().allocate(Math.max(1, Math.max(dataWs, filterWs)));
                try {
                    Pointer wp = GpuKernels.at(work.address());
                    Cuda.checkDnn(cudnn.cudnnConvolutionBackwardData(handle, d.one(), d.w, at(w), d.y, at(gy), d.conv,
                            dataAlgo, wp, dataWs, d.zero(), d.x, at(dx)), "cudnnConvolutionBackwardData");
                    Cuda.checkDnn(cudnn.cudnnConvolutionBackwardFilter(handle, d.one(), d.x, at(x), d.y, at(gy),
                            d.conv, filterAlgo, wp, filterWs, d.zero(), d.w, at(dw)),
                            "cudnnConvolutionBackwardFilter");
                } finally {
                    k.allocator().release(work);
                }
                TensorStorage db = hasBias ? k.reduce(ReduceOp.SUM, gy, new int[] {0, 2, 3}, false) : null;
                return new ConvGrads(dx, dw, db);
            } catch (RuntimeException e) {
                dx.close();
                dw.close();
                throw e;
            }
        }
    }
}
