package io.tessera.backend.gpu;

import io.tessera.api.tensor.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * The CUDA C sources of the GPU backend's primitive kernels, generated per element type. Each {@link Program} is one
 * NVRTC compilation unit; the backend compiles a program the first time one of its kernels runs and caches the PTX
 * per device architecture (docs/gpu.md, "Kernels"). Pure Java: the sources can be listed and compiled (by NVRTC or
 * {@code nvcc -ptx}) on a machine without a GPU, which is what the CPU-only tests do.
 *
 * <p>Index arithmetic is shared by every kernel: an {@code Idx} struct (passed by value) holds a rank of at most
 * {@link #MAX_RANK} dims and up to three stride vectors; a thread turns its flat output index into coordinates and
 * each operand's element offset is the dot product of the coordinates with that operand's strides (0 for a broadcast
 * axis). Element types: float32 {@code float}, float64 {@code double}, int64 {@code long long}, bool
 * {@code unsigned char} (0 or 1).
 */
public final class KernelSources {
    /** The highest rank the index struct holds (ranks above it are coalesced or refused). */
    public static final int MAX_RANK = 10;

    /** Threads per block of the elementwise kernels. */
    public static final int BLOCK = 256;

    private KernelSources() {
    }

    /**
     * One compilation unit.
     *
     * @param name    program name, also the file name NVRTC reports ({@code elementwise_f32.cu})
     * @param source  CUDA C source
     * @param kernels the {@code extern "C"} kernel names it defines
     */
    public record Program(String name, String source, List<String> kernels) {
    }

    /** The C type of a dtype on the device. */
    public static String ctype(DType t) {
        return switch (t) {
            case FLOAT32 -> "float";
            case FLOAT64 -> "double";
            case INT64 -> "long long";
            case BOOL -> "unsigned char";
        };
    }

    /** Short suffix used in program names. */
    public static String suffix(DType t) {
        return switch (t) {
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
            case INT64 -> "i64";
            case BOOL -> "b8";
        };
    }

    /** Every program the backend can compile: what the compile test walks. */
    public static List<Program> all() {
        List<Program> out = new ArrayList<>();
        for (DType t : DType.values()) {
            out.add(elementwise(t));
            out.add(layout(t));
            out.add(reduce(t));
            for (DType d : DType.values()) {
                out.add(cast(t, d));
            }
        }
        out.add(nn(DType.FLOAT32));
        out.add(nn(DType.FLOAT64));
        return out;
    }

    static String header(DType t) {
        return """
                typedef long long i64;
                typedef unsigned char u8;
                typedef %s T;
                #define IS_FLOAT %d
                #define IS_INT64 %d
                #define IS_BOOL %d
                #define MAX_RANK %d
                #define K_NAN (__longlong_as_double(0x7ff8000000000000ULL))
                #define K_INF (__longlong_as_double(0x7ff0000000000000ULL))
                struct Idx { int rank; i64 dims[MAX_RANK]; i64 s0[MAX_RANK]; i64 s1[MAX_RANK]; i64 s2[MAX_RANK]; };
                __device__ __forceinline__ void offsets(const Idx& ix, i64 flat, i64* o0, i64* o1, i64* o2) {
                    i64 a = 0, b = 0, c = 0;
                    for (int d = ix.rank - 1; d >= 0; d--) {
                        i64 n = ix.dims[d];
                        i64 p = flat %% n;
                        flat /= n;
                        a += p * ix.s0[d];
                        b += p * ix.s1[d];
                        c += p * ix.s2[d];
                    }
                    *o0 = a; *o1 = b; *o2 = c;
                }
                #define GRID_LOOP(i, n) for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \\
                        i += (i64) blockDim.x * gridDim.x)
                """.formatted(ctype(t), t.isFloatingPoint() ? 1 : 0, t == DType.INT64 ? 1 : 0, t == DType.BOOL ? 1 : 0,
                MAX_RANK);
    }

    /** Op codes: the ordinals of {@code UnaryOp}, {@code BinaryOp}, {@code ScalarOp} (checked by a test). */
    static Program elementwise(DType t) {
        String s = header(t) + """
                #if IS_FLOAT
                __device__ __forceinline__ T nanmax(T x, T y) { return (x != x || y != y) ? (T) K_NAN : (x > y ? x : y); }
                __device__ __forceinline__ T nanmin(T x, T y) { return (x != x || y != y) ? (T) K_NAN : (x < y ? x : y); }
                #else
                __device__ __forceinline__ T nanmax(T x, T y) { return x > y ? x : y; }
                __device__ __forceinline__ T nanmin(T x, T y) { return x < y ? x : y; }
                #endif
                __device__ __forceinline__ T unary_op(int op, T v) {
                #if IS_FLOAT
                    double x = (double) v;
                    switch (op) {
                        case 0: return -v;
                        case 1: return v < 0 ? -v : (v == 0 ? (T) 0 : v);
                        case 2: return v > 0 ? (T) 1 : (v < 0 ? (T) -1 : v);
                        case 3: return (T) exp(x);
                        case 4: return (T) log(x);
                        case 5: return (T) log1p(x);
                        case 6: return (T) sqrt(x);
                        case 7: return v * v;
                        case 8: return (T) (1.0 / x);
                        case 9: return (T) sin(x);
                        case 10: return (T) cos(x);
                        case 11: return (T) floor(x);
                        case 12: return (T) ceil(x);
                        case 13: return (T) erf(x);
                        case 14: return (T) tanh(x);
                        case 15: return (T) (1.0 / (1.0 + exp(-x)));
                        case 16: return v > 0 ? v : (v != v ? v : (T) 0);
                        case 17: return (T) (0.5 * x * (1.0 + erf(x * 0.70710678118654752440)));
                        case 18: return (T) (0.5 * x * (1.0 + tanh(0.79788456080286535588 * (x + 0.044715 * x * x * x))));
                        case 19: return (T) (fmax(x, 0.0) + log1p(exp(-fabs(x))));
                        case 20: return v == 0 ? (T) 1 : (T) 0;
                    }
                    return v;
                #else
                    switch (op) {
                        case 0: return (T) -v;
                        case 1: return v < 0 ? (T) -v : v;
                        case 2: return v > 0 ? (T) 1 : (v < 0 ? (T) -1 : (T) 0);
                        case 7: return (T) (v * v);
                        case 16: return v > 0 ? v : (T) 0;
                        case 20: return v == 0 ? (T) 1 : (T) 0;
                    }
                    return v;
                #endif
                }
                __device__ __forceinline__ T arith_op(int op, T x, T y) {
                    switch (op) {
                        case 0: return x + y;
                        case 1: return x - y;
                        case 2: return x * y;
                #if IS_FLOAT
                        case 3: return x / y;
                        case 4: return (T) pow((double) x, (double) y);
                #else
                        case 3: return y == 0 ? (T) 0 : (T) (x / y);
                        case 4: return (T) pow((double) x, (double) y);
                #endif
                        case 5: return nanmax(x, y);
                        case 6: return nanmin(x, y);
                        case 13: return (x != 0 && y != 0) ? (T) 1 : (T) 0;
                        case 14: return (x != 0 || y != 0) ? (T) 1 : (T) 0;
                    }
                    return x;
                }
                __device__ __forceinline__ u8 compare_op(int op, T x, T y) {
                    switch (op) {
                        case 7: return x == y;
                        case 8: return x != y;
                        case 9: return x < y;
                        case 10: return x <= y;
                        case 11: return x > y;
                        case 12: return x >= y;
                        case 13: return x != 0 && y != 0;
                        case 14: return x != 0 || y != 0;
                    }
                    return 0;
                }
                extern "C" __global__ void unary(int op, i64 n, const T* x, T* out) {
                    GRID_LOOP(i, n) { out[i] = unary_op(op, x[i]); }
                }
                /* out (contiguous) = a op b; s0, s1: strides of a and b over the output dims (0 where broadcast). */
                extern "C" __global__ void binary(int op, i64 n, Idx ix, const T* a, const T* b, T* out) {
                    GRID_LOOP(i, n) {
                        i64 oa, ob, oc;
                        offsets(ix, i, &oa, &ob, &oc);
                        out[i] = arith_op(op, a[oa], b[ob]);
                    }
                }
                extern "C" __global__ void compare(int op, i64 n, Idx ix, const T* a, const T* b, u8* out) {
                    GRID_LOOP(i, n) {
                        i64 oa, ob, oc;
                        offsets(ix, i, &oa, &ob, &oc);
                        out[i] = compare_op(op, a[oa], b[ob]);
                    }
                }
                /* Scalar ops (ScalarOp ordinals) of floating-point tensors: the scalar is first rounded to T (as
                   PyTorch and the SPI's default do: float32 x == 0.1 compares with 0.1f), then the op runs in double
                   and rounds once (the same result as T arithmetic for + - * /). */
                extern "C" __global__ void scalar_arith(int op, i64 n, const T* x, double s0, T* out) {
                    double s = (double) (T) s0;
                    GRID_LOOP(i, n) {
                        double v = (double) x[i];
                        double r;
                        switch (op) {
                            case 0: r = v + s; break;
                            case 1: r = v - s; break;
                            case 2: r = s - v; break;
                            case 3: r = v * s; break;
                            case 4: r = v / s; break;
                            case 5: r = s / v; break;
                            case 6: r = pow(v, s); break;
                            case 7: r = (v != v || s != s) ? K_NAN : fmax(v, s); break;
                            case 8: r = (v != v || s != s) ? K_NAN : fmin(v, s); break;
                            default: r = v;
                        }
                        out[i] = (T) r;
                    }
                }
                extern "C" __global__ void scalar_compare(int op, i64 n, const T* x, double s0, u8* out) {
                    double s = (double) (T) s0;
                    GRID_LOOP(i, n) {
                        double v = (double) x[i];
                        u8 r = 0;
                        switch (op) {
                            case 9: r = v == s; break;
                            case 10: r = v != s; break;
                            case 11: r = v < s; break;
                            case 12: r = v <= s; break;
                            case 13: r = v > s; break;
                            case 14: r = v >= s; break;
                        }
                        out[i] = r;
                    }
                }
                extern "C" __global__ void fill(i64 n, double v, T* out) {
                    GRID_LOOP(i, n) { out[i] = (T) v; }
                }
                #if IS_FLOAT
                /* Fused ReLU gradient g * (x > 0). */
                extern "C" __global__ void relu_backward(i64 n, const T* x, const T* g, T* out) {
                    GRID_LOOP(i, n) { out[i] = x[i] > 0 ? g[i] : (T) 0; }
                }
                #endif
                """;
        List<String> k = new ArrayList<>(List.of("unary", "binary", "compare", "scalar_arith", "scalar_compare",
                "fill"));
        if (t.isFloatingPoint()) {
            k.add("relu_backward");
        }
        return new Program("elementwise_" + suffix(t), s, k);
    }

    /** Strided copy (assign, reshape, permute, broadcast, slice, concat), gather and scatter-add. */
    static Program layout(DType t) {
        String s = header(t) + """
                /* dst[dstOff + c.s1] = src[srcOff + c.s0] for every coordinate c of dims. */
                extern "C" __global__ void copy_strided(i64 n, Idx ix, const T* src, i64 srcOff, T* dst, i64 dstOff) {
                    GRID_LOOP(i, n) {
                        i64 os, od, o2;
                        offsets(ix, i, &os, &od, &o2);
                        dst[dstOff + od] = src[srcOff + os];
                    }
                }
                __device__ void report(int* err, i64* bad, i64 v) {
                    if (atomicCAS(err, 0, 1) == 0) { *bad = v; }
                }
                /* out (index's shape, contiguous) = x at the coordinate with axis replaced by the index. s0: x strides
                   with 0 on the axis; axisStride: x's stride of the axis. */
                extern "C" __global__ void gather(i64 n, Idx ix, i64 axisLen, i64 axisStride, const T* x,
                                                  const i64* index, T* out, int* err, i64* bad) {
                    GRID_LOOP(i, n) {
                        i64 ox, o1, o2;
                        offsets(ix, i, &ox, &o1, &o2);
                        i64 k = index[i];
                        if (k < 0 || k >= axisLen) { report(err, bad, k); out[i] = (T) 0; continue; }
                        out[i] = x[ox + k * axisStride];
                    }
                }
                #if !IS_BOOL
                __device__ __forceinline__ void atomic_add(T* p, T v) {
                #if IS_INT64
                    atomicAdd((unsigned long long*) p, (unsigned long long) v);
                #else
                    atomicAdd(p, v);
                #endif
                }
                /* out (zeroed) at the coordinate with axis replaced by the index += src. s0: out
                   strides with 0 on the axis, s1: src strides. */
                extern "C" __global__ void scatter_add(i64 n, Idx ix, i64 axisLen, i64 axisStride, const i64* index,
                                                       const T* src, T* out, int* err, i64* bad) {
                    GRID_LOOP(i, n) {
                        i64 oo, o1, o2;
                        offsets(ix, i, &oo, &o1, &o2);
                        i64 k = index[i];
                        if (k < 0 || k >= axisLen) { report(err, bad, k); continue; }
                        atomic_add(out + oo + k * axisStride, src[o1]);
                    }
                }
                #endif
                """;
        List<String> k = new ArrayList<>(List.of("copy_strided", "gather"));
        if (t != DType.BOOL) {
            k.add("scatter_add");
        }
        return new Program("layout_" + suffix(t), s, k);
    }

    /**
     * One block per output element: threads stride over the reduced elements (s0 over the kept dims, s1 over the
     * reduced dims, as two Idx structs), accumulating in double (int64 in long long), then a shared-memory tree.
     */
    static Program reduce(DType t) {
        String acc = t == DType.INT64 ? "long long" : "double";
        String s = header(t) + """
                typedef %s A;
                #define RBLOCK %d
                __device__ __forceinline__ A combine(int op, A x, A y) {
                    switch (op) {
                        case 0: case 1: return x + y;
                #if IS_INT64
                        case 2: return x > y ? x : y;
                        case 3: return x < y ? x : y;
                #else
                        case 2: return (x != x || y != y) ? (A) K_NAN : (x > y ? x : y);
                        case 3: return (x != x || y != y) ? (A) K_NAN : (x < y ? x : y);
                #endif
                        case 4: return x * y;
                    }
                    return x;
                }
                __device__ __forceinline__ A identity(int op) {
                    switch (op) {
                #if IS_INT64
                        case 2: return (A) (-9223372036854775807LL - 1);
                        case 3: return (A) 9223372036854775807LL;
                #else
                        case 2: return (A) -K_INF;
                        case 3: return (A) K_INF;
                #endif
                        case 4: return (A) 1;
                    }
                    return (A) 0;
                }
                /* op: ReduceOp ordinal (SUM, MEAN, MAX, MIN, PROD). kept: output dims with s0 = x strides;
                   red: reduced dims with s0 = x strides; r: elements per output. */
                extern "C" __global__ void reduce(int op, i64 outputs, i64 r, Idx kept, Idx red, const T* x, T* out) {
                    __shared__ A part[RBLOCK];
                    for (i64 g = blockIdx.x; g < outputs; g += gridDim.x) {
                        i64 base, u1, u2;
                        offsets(kept, g, &base, &u1, &u2);
                        A a = identity(op);
                        for (i64 j = threadIdx.x; j < r; j += blockDim.x) {
                            i64 o, v1, v2;
                            offsets(red, j, &o, &v1, &v2);
                            a = combine(op, a, (A) x[base + o]);
                        }
                        part[threadIdx.x] = a;
                        __syncthreads();
                        for (int w = blockDim.x / 2; w > 0; w >>= 1) {
                            if (threadIdx.x < w) { part[threadIdx.x] = combine(op, part[threadIdx.x], part[threadIdx.x + w]); }
                            __syncthreads();
                        }
                        if (threadIdx.x == 0) {
                            A v = part[0];
                            if (op == 1) { v = v / (A) (r > 0 ? r : 1); }
                            out[g] = (T) v;
                        }
                        __syncthreads();
                    }
                }
                """.formatted(acc, BLOCK);
        return new Program("reduce_" + suffix(t), s, List.of("reduce"));
    }

    /** Conversion between two element types (float to int64 truncates; to bool is {@code v != 0}). */
    static Program cast(DType from, DType to) {
        String conv = to == DType.BOOL ? "(x[i] != 0) ? 1 : 0" : "(" + ctype(to) + ") x[i]";
        String s = header(from) + """
                typedef %s D;
                extern "C" __global__ void cast(i64 n, const T* x, D* out) {
                    GRID_LOOP(i, n) { out[i] = %s; }
                }
                """.formatted(ctype(to), conv);
        return new Program("cast_" + suffix(from) + "_" + suffix(to), s, List.of("cast"));
    }

    /** Fused nn kernels for floating-point types: row softmax over a contiguous last-axis-like layout. */
    static Program nn(DType t) {
        String s = header(t) + """
                #define RBLOCK %d
                /* Softmax (log when lg) of rows: element j of row g is x[outer(g) + j*stride], outer over (pre, post):
                   g = p * post + q, base = p * len * post + q, stride = post. One block per row. */
                extern "C" __global__ void softmax(i64 rows, i64 len, i64 post, int lg, const T* x, T* out) {
                    __shared__ double part[RBLOCK];
                    for (i64 g = blockIdx.x; g < rows; g += gridDim.x) {
                        i64 p = g / post, q = g %% post;
                        i64 base = p * len * post + q;
                        double m = -K_INF;
                        for (i64 j = threadIdx.x; j < len; j += blockDim.x) {
                            double v = (double) x[base + j * post];
                            m = (v != v || m != m) ? K_NAN : fmax(m, v);
                        }
                        part[threadIdx.x] = m;
                        __syncthreads();
                        for (int w = blockDim.x / 2; w > 0; w >>= 1) {
                            if (threadIdx.x < w) {
                                double a = part[threadIdx.x], b = part[threadIdx.x + w];
                                part[threadIdx.x] = (a != a || b != b) ? K_NAN : fmax(a, b);
                            }
                            __syncthreads();
                        }
                        m = part[0];
                        __syncthreads();
                        double sum = 0;
                        for (i64 j = threadIdx.x; j < len; j += blockDim.x) {
                            sum += exp((double) x[base + j * post] - m);
                        }
                        part[threadIdx.x] = sum;
                        __syncthreads();
                        for (int w = blockDim.x / 2; w > 0; w >>= 1) {
                            if (threadIdx.x < w) { part[threadIdx.x] += part[threadIdx.x + w]; }
                            __syncthreads();
                        }
                        sum = part[0];
                        __syncthreads();
                        double ls = log(sum);
                        for (i64 j = threadIdx.x; j < len; j += blockDim.x) {
                            double v = (double) x[base + j * post] - m;
                            out[base + j * post] = (T) (lg ? v - ls : exp(v) / sum);
                        }
                        __syncthreads();
                    }
                }
                """.formatted(BLOCK);
        return new Program("nn_" + suffix(t), s, List.of("softmax"));
    }
}
