package io.tessera.backend.gpu.cuda;

import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;
import static org.bytedeco.cuda.global.cudart.cuModuleGetFunction;
import static org.bytedeco.cuda.global.cudart.cuModuleLoadData;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToDevice;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaMemset;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;

import io.tessera.api.tensor.BinaryOp;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Device;
import io.tessera.api.tensor.ReduceOp;
import io.tessera.api.tensor.ScalarOp;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.UnaryOp;
import io.tessera.api.tensor.spi.TensorKernels;
import io.tessera.api.tensor.spi.TensorStorage;
import io.tessera.backend.gpu.DeviceAllocator;
import io.tessera.backend.gpu.KernelSources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The GPU backend's kernels: the 17-kernel primitive core on CUDA (NVRTC-compiled programs of
 * {@link KernelSources}, cuBLAS for matmul), plus overrides where the GPU pays: uploads and downloads of float32,
 * fills, float scalar ops, the fused ReLU gradient, transposed matmuls (cuBLAS flags), softmax, and convolution
 * through cuDNN ({@link CudnnConv}). Everything else runs the SPI's default compositions on this core, on the device.
 *
 * <p>All work goes to the legacy default stream, so kernels, cuBLAS, cuDNN and copies run in call order and a block
 * released to the allocator can be handed out again at once. Memory comes from a {@link DeviceAllocator} (caching
 * blocks); every storage returns its block when its tensor closes (the tensor scopes decide when).
 */
public final class GpuKernels implements TensorKernels {
    private static final String NAME = "gpu";

    final int ordinal;
    private final Device device;
    private final DeviceAllocator allocator;
    private final AtomicLong open = new AtomicLong();
    private final cublasContext blas;
    private final String arch;
    private final Map<String, CUmod_st> modules = new HashMap<>();
    private final Map<String, CUfunc_st> functions = new HashMap<>();
    private CudnnConv conv;
    private volatile boolean closed;

    private GpuKernels(int ordinal) {
        this.ordinal = ordinal;
        this.device = new Device("cuda", ordinal);
        Cuda.check(cudaSetDevice(ordinal), "cudaSetDevice(" + ordinal + ")");
        Cuda.check(cudaFree(null), "CUDA context creation");
        int[] major = new int[1];
        int[] minor = new int[1];
        Cuda.check(org.bytedeco.cuda.global.cudart.cudaDeviceGetAttribute(major,
                org.bytedeco.cuda.global.cudart.cudaDevAttrComputeCapabilityMajor, ordinal), "compute capability");
        Cuda.check(org.bytedeco.cuda.global.cudart.cudaDeviceGetAttribute(minor,
                org.bytedeco.cuda.global.cudart.cudaDevAttrComputeCapabilityMinor, ordinal), "compute capability");
        this.arch = "compute_" + major[0] + minor[0];
        this.allocator = new DeviceAllocator(new DeviceAllocator.Raw() {
            @Override
            public long malloc(long bytes) {
                Pointer p = new Pointer();
                int st = cudaMalloc(p, bytes);
                if (st == org.bytedeco.cuda.global.cudart.cudaErrorMemoryAllocation) {
                    throw new OutOfMemoryError("cudaMalloc(" + bytes + ") on " + device);
                }
                Cuda.check(st, "cudaMalloc(" + bytes + ")");
                return p.address();
            }

            @Override
            public void free(long address) {
                Cuda.check(cudaFree(new Cuda.Address(address)), "cudaFree");
            }
        });
        this.blas = new cublasContext();
        Cuda.checkBlas(cublas.cublasCreate_v2(blas), "cublasCreate");
        if (Boolean.getBoolean("tessera.gpu.tf32")) {
            cublas.cublasSetMathMode(blas, cublas.CUBLAS_TF32_TENSOR_OP_MATH);
        }
    }

    /** Opens device {@code ordinal} (the provider checked that it exists and is supported). */
    public static GpuKernels open(int ordinal) {
        return new GpuKernels(ordinal);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public Set<String> capabilities() {
        return Set.of("float32", "float64", "int64", "bool", "autograd", "cublas", "cudnn", "nvrtc", "sm:" + arch);
    }

    /** Storages created and not yet closed. */
    public long openStorages() {
        return open.get();
    }

    /** Waits until the device has finished all work queued so far (for timing). */
    public void synchronize() {
        Cuda.check(cudaSetDevice(ordinal), "cudaSetDevice");
        Cuda.check(org.bytedeco.cuda.global.cudart.cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    }

    /** The allocator's counters. */
    public DeviceAllocator.Stats memoryStats() {
        return allocator.stats();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (conv != null) {
            conv.close();
        }
        cublas.cublasDestroy_v2(blas);
        allocator.close();
    }

    // ------------------------------------------------------------------------------------------------ memory

    GpuStorage s(TensorStorage t) {
        if (!(t instanceof GpuStorage g) || g.owner != this) {
            throw new IllegalArgumentException("storage " + t + " does not belong to this GPU backend");
        }
        if (g.isClosed()) {
            throw new IllegalStateException("storage " + t + " is closed");
        }
        return g;
    }

    GpuStorage alloc(Shape shape, DType dtype) {
        if (closed) {
            throw new IllegalStateException("the gpu backend on " + device + " is closed");
        }
        DeviceAllocator.Block b = allocator.allocate(Math.max(1, shape.size() * dtype.byteSize()));
        open.incrementAndGet();
        return new GpuStorage(this, shape, dtype, b);
    }

    void release(GpuStorage s) {
        open.decrementAndGet();
        allocator.release(s.block);
    }

    DeviceAllocator allocator() {
        return allocator;
    }

    static Pointer at(long address) {
        return new Cuda.Address(address);
    }

    /** Copies {@code bytes} of a host buffer into {@code dst} and closes the buffer. */
    private void upload(GpuStorage dst, Pointer host, long bytes) {
        try (host) {
            if (bytes > 0) {
                Cuda.check(cudaMemcpy(at(dst.address()), host, bytes, cudaMemcpyHostToDevice), "upload");
            }
        }
    }

    private void download(GpuStorage src, Pointer host, long bytes) {
        if (bytes > 0) {
            Cuda.check(cudaMemcpy(host, at(src.address()), bytes, cudaMemcpyDeviceToHost), "download");
        }
    }

    private GpuStorage copy(GpuStorage x, Shape shape) {
        GpuStorage out = alloc(shape, x.dtype);
        if (x.bytes() > 0) {
            Cuda.check(cudaMemcpy(at(out.address()), at(x.address()), x.bytes(), cudaMemcpyDeviceToDevice), "copy");
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ launches

    /** The function {@code kernel} of {@code program}, compiled (or read from the PTX cache) on first use. */
    synchronized CUfunc_st function(KernelSources.Program program, String kernel) {
        String key = program.name() + "/" + kernel;
        CUfunc_st f = functions.get(key);
        if (f != null) {
            return f;
        }
        CUmod_st m = modules.get(program.name());
        if (m == null) {
            String ptx = ptx(program);
            m = new CUmod_st();
            BytePointer image = new BytePointer(ptx);
            Cuda.check(cuModuleLoadData(m, image), "cuModuleLoadData(" + program.name() + ")");
            modules.put(program.name(), m);
        }
        f = new CUfunc_st();
        Cuda.check(cuModuleGetFunction(f, m, kernel), "cuModuleGetFunction(" + key + ")");
        functions.put(key, f);
        return f;
    }

    /**
     * PTX of a program for this device's architecture: from {@code ~/.cache/tessera/gpu-kernels} (keyed by the
     * SHA-256 of source, architecture and NVRTC version), else compiled by NVRTC and written there.
     */
    private String ptx(KernelSources.Program program) {
        String nv = Nvrtc.load();
        String key;
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((program.source() + "\n" + arch + "\n" + nv).getBytes(StandardCharsets.UTF_8));
            key = HexFormat.of().formatHex(md.digest()).substring(0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path dir = Path.of(System.getProperty("tessera.gpu.kernelCache",
                System.getProperty("user.home") + "/.cache/tessera/gpu-kernels"));
        Path file = dir.resolve(program.name() + "-" + arch + "-" + key + ".ptx");
        try {
            if (Files.isRegularFile(file)) {
                return Files.readString(file);
            }
        } catch (IOException e) {
            // unreadable cache entry: compile again
        }
        String ptx = Nvrtc.compile(program, arch);
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, program.name(), ".tmp");
            Files.writeString(tmp, ptx);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // a read-only home: the in-memory module cache still serves this process
        }
        return ptx;
    }

    /** Device index struct {@code Idx} of the kernel sources. */
    static final class Idx {
        final long[] dims;
        final long[][] strides;

        Idx(long[] dims, long[]... strides) {
            long[][] s = new long[3][];
            for (int i = 0; i < 3; i++) {
                s[i] = i < strides.length ? strides[i] : new long[dims.length];
            }
            // drop size-1 axes, then merge axes that are contiguous in every operand
            int n = 0;
            long[] d = new long[dims.length];
            long[][] t = new long[3][dims.length];
            for (int a = 0; a < dims.length; a++) {
                if (dims[a] == 1) {
                    continue;
                }
                if (n > 0) {
                    boolean merge = true;
                    for (int k = 0; k < 3; k++) {
                        merge &= t[k][n - 1] == s[k][a] * dims[a];
                    }
                    if (merge) {
                        d[n - 1] *= dims[a];
                        for (int k = 0; k < 3; k++) {
                            t[k][n - 1] = s[k][a];
                        }
                        continue;
                    }
                }
                d[n] = dims[a];
                for (int k = 0; k < 3; k++) {
                    t[k][n] = s[k][a];
                }
                n++;
            }
            if (n > KernelSources.MAX_RANK) {
                throw new IllegalArgumentException("the gpu backend's kernels take at most " + KernelSources.MAX_RANK
                        + " non-mergeable axes; got a layout of " + n + " (" + Arrays.toString(dims) + ")");
            }
            this.dims = Arrays.copyOf(d, n);
            this.strides = new long[][] {Arrays.copyOf(t[0], n), Arrays.copyOf(t[1], n), Arrays.copyOf(t[2], n)};
        }

        static final int BYTES = 8 + 4 * KernelSources.MAX_RANK * 8;

        void write(BytePointer buf, long off) {
            buf.putInt(off, dims.length);
            for (int i = 0; i < KernelSources.MAX_RANK; i++) {
                buf.putLong(off + 8 + 8L * i, i < dims.length ? dims[i] : 1);
                for (int k = 0; k < 3; k++) {
                    buf.putLong(off + 8 + 8L * KernelSources.MAX_RANK * (k + 1) + 8L * i,
                            i < dims.length ? strides[k][i] : 0);
                }
            }
        }
    }

    /** A raw device address argument (not a storage). */
    record Addr(long address) {
    }

    /** Launches a grid-stride kernel over {@code n} elements (or {@code n} blocks when {@code perBlock}). */
    void launch(KernelSources.Program program, String kernel, long n, boolean perBlock, Object... args) {
        if (n <= 0) {
            return;
        }
        // the primary context must be current on this thread before the driver API loads a module or launches
        Cuda.check(cudaSetDevice(ordinal), "cudaSetDevice");
        CUfunc_st f = function(program, kernel);
        long bytes = 0;
        for (Object a : args) {
            bytes += a instanceof Idx ? Idx.BYTES : 8;
        }
        try (BytePointer buf = new BytePointer(Math.max(8, bytes));
             PointerPointer<Pointer> params = new PointerPointer<>(args.length)) {
            long off = 0;
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                if (a instanceof Idx ix) {
                    ix.write(buf, off);
                } else if (a instanceof Integer v) {
                    buf.putInt(off, v);
                } else if (a instanceof Long v) {
                    buf.putLong(off, v);
                } else if (a instanceof Double v) {
                    buf.putDouble(off, v);
                } else if (a instanceof GpuStorage g) {
                    buf.putLong(off, g.address());
                } else if (a instanceof Addr r) {
                    buf.putLong(off, r.address());
                } else {
                    throw new IllegalArgumentException("kernel argument of type " + a.getClass());
                }
                params.put(i, at(buf.address() + off));
                off += a instanceof Idx ? Idx.BYTES : 8;
            }
            long blocks = perBlock ? n : (n + KernelSources.BLOCK - 1) / KernelSources.BLOCK;
            int grid = (int) Math.min(blocks, 1L << 20);
            Cuda.check(cuLaunchKernel(f, grid, 1, 1, KernelSources.BLOCK, 1, 1, 0, (CUstream_st) null, params,
                    (PointerPointer<?>) null), "launch " + program.name() + "/" + kernel);
        }
    }

    /**
     * Launches a kernel that writes {@code out} (allocated by the caller) and returns {@code out}; when the launch
     * fails, {@code out} goes back to the allocator before the error propagates.
     */
    private GpuStorage launchInto(GpuStorage out, KernelSources.Program program, String kernel, long n,
                                  boolean perBlock, Object... args) {
        try {
            launch(program, kernel, n, perBlock, args);
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /**
     * Launches an indexing kernel ({@code gather}, {@code scatter_add}) into {@code out}: its arguments are
     * {@code args} followed by the addresses of a two-word error flag (set, index) that the kernel writes on an index
     * out of range; then throws as the reference backend does on such an index.
     */
    private GpuStorage launchIndexed(String op, long axisLen, int axis, GpuStorage out, KernelSources.Program program,
                                     String kernel, long n, Object... args) {
        DeviceAllocator.Block flag = allocator.allocate(16);
        try {
            Cuda.check(cudaMemset(at(flag.address()), 0, 16), "cudaMemset");
            Object[] all = Arrays.copyOf(args, args.length + 2);
            all[args.length] = new Addr(flag.address());
            all[args.length + 1] = new Addr(flag.address() + 8);
            launch(program, kernel, n, false, all);
            long[] result = new long[2];
            try (LongPointer p = new LongPointer(2)) {
                Cuda.check(cudaMemcpy(p, at(flag.address()), 16, cudaMemcpyDeviceToHost), op + " index check");
                p.get(result);
            }
            if ((int) result[0] != 0) {
                throw new IndexOutOfBoundsException(op + ": index " + result[1] + " is out of range for axis " + axis
                        + " of size " + axisLen);
            }
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        } finally {
            allocator.release(flag);
        }
    }

    private static final Map<String, KernelSources.Program> PROGRAMS = new HashMap<>();

    static synchronized KernelSources.Program program(String name) {
        if (PROGRAMS.isEmpty()) {
            for (KernelSources.Program p : KernelSources.all()) {
                PROGRAMS.put(p.name(), p);
            }
        }
        KernelSources.Program p = PROGRAMS.get(name);
        if (p == null) {
            throw new IllegalStateException("no GPU kernel program " + name);
        }
        return p;
    }

    static KernelSources.Program prog(String family, DType t) {
        return program(family + "_" + KernelSources.suffix(t));
    }

    // ------------------------------------------------------------------------------------------------ strides

    static long[] contiguous(long[] dims) {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** Strides of {@code from} read at the coordinates of {@code to} (right-aligned, 0 on broadcast axes). */
    static long[] broadcastStrides(Shape from, Shape to) {
        long[] src = contiguous(from.dims());
        long[] s = new long[to.rank()];
        int off = to.rank() - from.rank();
        for (int a = 0; a < from.rank(); a++) {
            s[a + off] = from.dim(a) == 1 && to.dim(a + off) != 1 ? 0 : src[a];
        }
        return s;
    }

    // ============================================================================================ primitive core

    @Override
    public TensorStorage fromDoubles(double[] data, Shape shape, DType dtype) {
        GpuStorage out = alloc(shape, dtype);
        int n = data.length;
        switch (dtype) {
            case FLOAT32 -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = (float) data[i];
                }
                upload(out, new FloatPointer(f), 4L * n);
            }
            case FLOAT64 -> {
                upload(out, new DoublePointer(data), 8L * n);
            }
            case INT64 -> {
                long[] l = new long[n];
                for (int i = 0; i < n; i++) {
                    l[i] = (long) data[i];
                }
                upload(out, new LongPointer(l), 8L * n);
            }
            case BOOL -> {
                byte[] b = new byte[n];
                for (int i = 0; i < n; i++) {
                    b[i] = (byte) (data[i] != 0 ? 1 : 0);
                }
                upload(out, new BytePointer(b), n);
            }
        }
        return out;
    }

    @Override
    public TensorStorage fromLongs(long[] data, Shape shape) {
        GpuStorage out = alloc(shape, DType.INT64);
        upload(out, new LongPointer(data), 8L * data.length);
        return out;
    }

    @Override
    public TensorStorage fromFloats(float[] data, Shape shape) {
        GpuStorage out = alloc(shape, DType.FLOAT32);
        upload(out, new FloatPointer(data), 4L * data.length);
        return out;
    }

    @Override
    public double[] toDoubles(TensorStorage t) {
        GpuStorage x = s(t);
        int n = Math.toIntExact(x.size());
        double[] out = new double[n];
        switch (x.dtype) {
            case FLOAT32 -> {
                float[] f = toFloats(x);
                for (int i = 0; i < n; i++) {
                    out[i] = f[i];
                }
            }
            case FLOAT64 -> {
                try (DoublePointer p = new DoublePointer(Math.max(1, n))) {
                    download(x, p, 8L * n);
                    p.get(out);
                }
            }
            case INT64 -> {
                long[] l = toLongs(x);
                for (int i = 0; i < n; i++) {
                    out[i] = l[i];
                }
            }
            case BOOL -> {
                byte[] b = new byte[n];
                try (BytePointer p = new BytePointer(Math.max(1, n))) {
                    download(x, p, n);
                    p.get(b);
                }
                for (int i = 0; i < n; i++) {
                    out[i] = b[i] != 0 ? 1 : 0;
                }
            }
        }
        return out;
    }

    @Override
    public float[] toFloats(TensorStorage t) {
        GpuStorage x = s(t);
        int n = Math.toIntExact(x.size());
        if (x.dtype != DType.FLOAT32) {
            return TensorKernels.super.toFloats(x);
        }
        float[] f = new float[n];
        try (FloatPointer p = new FloatPointer(Math.max(1, n))) {
            download(x, p, 4L * n);
            p.get(f);
        }
        return f;
    }

    @Override
    public long[] toLongs(TensorStorage t) {
        GpuStorage x = s(t);
        int n = Math.toIntExact(x.size());
        if (x.dtype != DType.INT64) {
            double[] d = toDoubles(x);
            long[] l = new long[n];
            for (int i = 0; i < n; i++) {
                l[i] = (long) d[i];
            }
            return l;
        }
        long[] l = new long[n];
        try (LongPointer p = new LongPointer(Math.max(1, n))) {
            download(x, p, 8L * n);
            p.get(l);
        }
        return l;
    }

    private void copyStrided(GpuStorage src, long srcOff, long[] srcStrides, GpuStorage dst, long dstOff,
                             long[] dstStrides, long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        launch(prog("layout", src.dtype), "copy_strided", n, false, n, new Idx(dims, srcStrides, dstStrides), src,
                srcOff, dst, dstOff);
    }

    @Override
    public void assign(TensorStorage dst, TensorStorage src) {
        GpuStorage d = s(dst);
        GpuStorage x = s(src);
        copyStrided(x, 0, broadcastStrides(x.shape, d.shape), d, 0, contiguous(d.shape.dims()), d.shape.dims());
    }

    @Override
    public TensorStorage cast(TensorStorage t, DType dtype) {
        GpuStorage x = s(t);
        if (x.dtype == dtype) {
            return copy(x, x.shape);
        }
        GpuStorage out = alloc(x.shape, dtype);
        return launchInto(out, program("cast_" + KernelSources.suffix(x.dtype) + "_" + KernelSources.suffix(dtype)),
                "cast", x.size(), false, x.size(), x, out);
    }

    @Override
    public TensorStorage unary(UnaryOp op, TensorStorage t) {
        GpuStorage x = s(t);
        GpuStorage out = alloc(x.shape, x.dtype);
        return launchInto(out, prog("elementwise", x.dtype), "unary", x.size(), false, op.ordinal(), x.size(), x, out);
    }

    @Override
    public TensorStorage binary(BinaryOp op, TensorStorage ta, TensorStorage tb) {
        GpuStorage a = s(ta);
        GpuStorage b = s(tb);
        Shape shape = Shape.broadcast(op.name().toLowerCase(), a.shape, b.shape);
        boolean cmp = op.isComparison();
        GpuStorage out = alloc(shape, cmp ? DType.BOOL : a.dtype);
        Idx ix = new Idx(shape.dims(), broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape));
        return launchInto(out, prog("elementwise", a.dtype), cmp ? "compare" : "binary", shape.size(), false,
                op.ordinal(), shape.size(), ix, a, b, out);
    }

    /**
     * A reduction's layout: {@code kept} walks the outputs (x strides of the kept axes), {@code red} the elements of
     * one output (x strides of the reduced axes).
     */
    record ReducePlan(Idx kept, Idx red, long outputs, long count) {
    }

    static ReducePlan reducePlan(Shape shape, int[] axes) {
        long[] dims = shape.dims();
        long[] strides = contiguous(dims);
        boolean[] red = new boolean[dims.length];
        for (int a : axes) {
            red[a] = true;
        }
        int nk = dims.length - axes.length;
        long[] kd = new long[nk];
        long[] ks = new long[nk];
        long[] rd = new long[axes.length];
        long[] rs = new long[axes.length];
        int i = 0;
        int j = 0;
        long outputs = 1;
        long r = 1;
        for (int a = 0; a < dims.length; a++) {
            if (red[a]) {
                rd[j] = dims[a];
                rs[j++] = strides[a];
                r *= dims[a];
            } else {
                kd[i] = dims[a];
                ks[i++] = strides[a];
                outputs *= dims[a];
            }
        }
        return new ReducePlan(new Idx(kd, ks), new Idx(rd, rs), outputs, r);
    }

    @Override
    public TensorStorage reduce(ReduceOp op, TensorStorage t, int[] axes, boolean keepDim) {
        GpuStorage x = s(t);
        ReducePlan p = reducePlan(x.shape, axes);
        GpuStorage out = alloc(x.shape.reduce(axes, keepDim), x.dtype);
        return launchInto(out, prog("reduce", x.dtype), "reduce", p.outputs(), true, op.ordinal(), p.outputs(),
                p.count(), p.kept(), p.red(), x, out);
    }

    @Override
    public TensorStorage reshape(TensorStorage t, Shape shape) {
        return copy(s(t), shape);
    }

    /** A strided read of a dense source: output dims, source strides, source offset. */
    record Plan(long[] dims, long[] strides, long offset) {
    }

    /** Output axis {@code i} reads source axis {@code perm[i]}. */
    static Plan permutePlan(Shape shape, int[] perm) {
        long[] src = contiguous(shape.dims());
        long[] d = new long[perm.length];
        long[] st = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            d[i] = shape.dim(perm[i]);
            st[i] = src[perm[i]];
        }
        return new Plan(d, st, 0);
    }

    /** {@code x[start:stop:step]} on every axis. */
    static Plan slicePlan(Shape shape, long[] start, long[] stop, long[] step) {
        long[] xs = contiguous(shape.dims());
        long[] d = new long[start.length];
        long[] st = new long[start.length];
        long off = 0;
        for (int a = 0; a < d.length; a++) {
            d[a] = Math.max(0, (stop[a] - start[a] + step[a] - 1) / step[a]);
            st[a] = xs[a] * step[a];
            off += start[a] * xs[a];
        }
        return new Plan(d, st, off);
    }

    @Override
    public TensorStorage permute(TensorStorage t, int[] perm) {
        GpuStorage x = s(t);
        Plan p = permutePlan(x.shape, perm);
        GpuStorage out = alloc(Shape.of(p.dims()), x.dtype);
        copyStrided(x, 0, p.strides(), out, 0, contiguous(p.dims()), p.dims());
        return out;
    }

    @Override
    public TensorStorage broadcastTo(TensorStorage t, Shape shape) {
        GpuStorage x = s(t);
        GpuStorage out = alloc(shape, x.dtype);
        copyStrided(x, 0, broadcastStrides(x.shape, shape), out, 0, contiguous(shape.dims()), shape.dims());
        return out;
    }

    @Override
    public TensorStorage concat(List<TensorStorage> xs, int axis) {
        GpuStorage first = s(xs.get(0));
        long total = 0;
        for (TensorStorage t : xs) {
            total += s(t).shape.dim(axis);
        }
        Shape shape = first.shape.with(axis, total);
        GpuStorage out = alloc(shape, first.dtype);
        long[] os = contiguous(shape.dims());
        long at = 0;
        for (TensorStorage t : xs) {
            GpuStorage x = s(t);
            copyStrided(x, 0, contiguous(x.shape.dims()), out, at * os[axis], os, x.shape.dims());
            at += x.shape.dim(axis);
        }
        return out;
    }

    @Override
    public TensorStorage slice(TensorStorage t, long[] start, long[] stop, long[] step) {
        GpuStorage x = s(t);
        Plan p = slicePlan(x.shape, start, stop, step);
        GpuStorage out = alloc(Shape.of(p.dims()), x.dtype);
        copyStrided(x, p.offset(), p.strides(), out, 0, contiguous(p.dims()), p.dims());
        return out;
    }

    @Override
    public TensorStorage gather(TensorStorage t, int axis, TensorStorage index) {
        GpuStorage x = s(t);
        GpuStorage idx = s(index);
        long[] xs = contiguous(x.shape.dims());
        long[] s0 = xs.clone();
        s0[axis] = 0;
        GpuStorage out = alloc(idx.shape, x.dtype);
        long n = idx.size();
        return launchIndexed("gather", x.shape.dim(axis), axis, out, prog("layout", x.dtype), "gather", n, n,
                new Idx(idx.shape.dims(), s0), x.shape.dim(axis), xs[axis], x, idx, out);
    }

    @Override
    public TensorStorage scatterAdd(Shape shape, int axis, TensorStorage index, TensorStorage src) {
        GpuStorage idx = s(index);
        GpuStorage v = s(src);
        if (v.dtype == DType.BOOL) {
            try (TensorStorage asLong = cast(v, DType.INT64);
                 TensorStorage sum = scatterAdd(shape, axis, idx, asLong)) {
                return cast(sum, DType.BOOL);
            }
        }
        GpuStorage out = alloc(shape, v.dtype);
        Cuda.check(cudaMemset(at(out.address()), 0, Math.max(1, out.bytes())), "cudaMemset");
        long[] os = contiguous(shape.dims());
        long[] s0 = os.clone();
        s0[axis] = 0;
        long n = idx.size();
        return launchIndexed("scatterAdd", shape.dim(axis), axis, out, prog("layout", v.dtype), "scatter_add", n, n,
                new Idx(idx.shape.dims(), s0, broadcastStrides(v.shape, idx.shape)), shape.dim(axis), os[axis], idx,
                v, out);
    }

    @Override
    public TensorStorage matmul(TensorStorage a, TensorStorage b) {
        return matmul(a, false, b, false);
    }

    @Override
    public TensorStorage matmul(TensorStorage ta, boolean transposeA, TensorStorage tb, boolean transposeB) {
        GpuStorage a = s(ta);
        GpuStorage b = s(tb);
        int ra = a.shape.rank();
        int rb = b.shape.rank();
        long m = transposeA ? a.shape.dim(ra - 1) : a.shape.dim(ra - 2);
        long k = transposeA ? a.shape.dim(ra - 2) : a.shape.dim(ra - 1);
        long n = transposeB ? b.shape.dim(rb - 2) : b.shape.dim(rb - 1);
        Shape batchA = Shape.of(Arrays.copyOf(a.shape.dims(), ra - 2));
        Shape batchB = Shape.of(Arrays.copyOf(b.shape.dims(), rb - 2));
        Shape batch = Shape.broadcast("matmul", batchA, batchB);
        long[] od = Arrays.copyOf(batch.dims(), batch.rank() + 2);
        od[batch.rank()] = m;
        od[batch.rank() + 1] = n;
        GpuStorage out = alloc(Shape.of(od), a.dtype);
        long count = batch.size();
        if (out.size() == 0) {
            return out;
        }
        if (k == 0) {
            Cuda.check(cudaMemset(at(out.address()), 0, out.bytes()), "cudaMemset");
            return out;
        }
        GpuStorage ea = null;
        GpuStorage eb = null;
        try {
            long strideA = a.shape.size() / Math.max(1, batchA.size());
            long strideB = b.shape.size() / Math.max(1, batchB.size());
            GpuStorage ua = a;
            GpuStorage ub = b;
            if (batchA.size() != count) {
                if (batchA.size() == 1) {
                    strideA = 0;
                } else {
                    ea = (GpuStorage) broadcastTo(a, withBatch(batch, a.shape));
                    ua = ea;
                }
            }
            if (batchB.size() != count) {
                if (batchB.size() == 1) {
                    strideB = 0;
                } else {
                    eb = (GpuStorage) broadcastTo(b, withBatch(batch, b.shape));
                    ub = eb;
                }
            }
            int opA = transposeA ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N;
            int opB = transposeB ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N;
            int lda = (int) a.shape.dim(ra - 1);
            int ldb = (int) b.shape.dim(rb - 1);
            Cuda.check(cudaSetDevice(ordinal), "cudaSetDevice");
            // row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: swap the operands
            if (a.dtype == DType.FLOAT32) {
                try (FloatPointer one = new FloatPointer(1f); FloatPointer zero = new FloatPointer(0f)) {
                    Cuda.checkBlas(cublas.cublasSgemmStridedBatched(blas, opB, opA, (int) n, (int) m, (int) k, one,
                            new FloatPointer(at(ub.address())), ldb, strideB, new FloatPointer(at(ua.address())), lda,
                            strideA, zero, new FloatPointer(at(out.address())), (int) n, m * n, (int) count),
                            "cublasSgemmStridedBatched");
                }
            } else if (a.dtype == DType.FLOAT64) {
                try (DoublePointer one = new DoublePointer(1d); DoublePointer zero = new DoublePointer(0d)) {
                    Cuda.checkBlas(cublas.cublasDgemmStridedBatched(blas, opB, opA, (int) n, (int) m, (int) k, one,
                            new DoublePointer(at(ub.address())), ldb, strideB, new DoublePointer(at(ua.address())),
                            lda, strideA, zero, new DoublePointer(at(out.address())), (int) n, m * n, (int) count),
                            "cublasDgemmStridedBatched");
                }
            } else {
                throw new IllegalArgumentException("matmul on the gpu backend needs float32 or float64, got "
                        + a.dtype);
            }
        } catch (RuntimeException e) {
            out.close();
            throw e;
        } finally {
            if (ea != null) {
                ea.close();
            }
            if (eb != null) {
                eb.close();
            }
        }
        return out;
    }

    private static Shape withBatch(Shape batch, Shape matrix) {
        long[] d = Arrays.copyOf(batch.dims(), batch.rank() + 2);
        d[batch.rank()] = matrix.dim(matrix.rank() - 2);
        d[batch.rank() + 1] = matrix.dim(matrix.rank() - 1);
        return Shape.of(d);
    }

    // ================================================================================================ overrides

    @Override
    public TensorStorage filled(Shape shape, DType dtype, double value) {
        if (!dtype.isFloatingPoint()) {
            return TensorKernels.super.filled(shape, dtype, value);
        }
        GpuStorage out = alloc(shape, dtype);
        return launchInto(out, prog("elementwise", dtype), "fill", shape.size(), false, shape.size(), value, out);
    }

    @Override
    public TensorStorage scalar(ScalarOp op, TensorStorage t, double value) {
        GpuStorage x = s(t);
        if (!x.dtype.isFloatingPoint()) {
            return TensorKernels.super.scalar(op, x, value);
        }
        boolean cmp = op.isComparison();
        GpuStorage out = alloc(x.shape, cmp ? DType.BOOL : x.dtype);
        return launchInto(out, prog("elementwise", x.dtype), cmp ? "scalar_compare" : "scalar_arith", x.size(), false,
                op.ordinal(), x.size(), x, value, out);
    }

    @Override
    public TensorStorage reluBackward(TensorStorage tx, TensorStorage tg) {
        GpuStorage x = s(tx);
        GpuStorage g = s(tg);
        GpuStorage out = alloc(g.shape, g.dtype);
        return launchInto(out, prog("elementwise", g.dtype), "relu_backward", g.size(), false, g.size(), x, g, out);
    }

    @Override
    public TensorStorage softmax(TensorStorage t, int axis, boolean log) {
        GpuStorage x = s(t);
        long len = x.shape.dim(axis);
        long post = 1;
        for (int a = axis + 1; a < x.shape.rank(); a++) {
            post *= x.shape.dim(a);
        }
        long rows = x.size() / Math.max(1, len);
        GpuStorage out = alloc(x.shape, x.dtype);
        return launchInto(out, prog("nn", x.dtype), "softmax", rows, true, rows, len, post, log ? 1 : 0, x, out);
    }

    private synchronized CudnnConv conv() {
        if (conv == null) {
            conv = new CudnnConv(this);
        }
        return conv;
    }

    @Override
    public TensorStorage conv2d(TensorStorage x, TensorStorage weight, TensorStorage bias, int[] stride,
                                int[] padding, int[] dilation, int groups) {
        return conv().forward(s(x), s(weight), bias == null ? null : s(bias), stride, padding, dilation, groups);
    }

    @Override
    public ConvGrads conv2dBackward(TensorStorage x, TensorStorage weight, boolean hasBias, TensorStorage gradOut,
                                    int[] stride, int[] padding, int[] dilation, int groups) {
        return conv().backward(s(x), s(weight), hasBias, s(gradOut), stride, padding, dilation, groups);
    }

    @Override
    public String toString() {
        return "GpuKernels[" + device + ", " + arch + "]";
    }
}
