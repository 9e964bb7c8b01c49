package io.tessera.api.io;

import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * Moves weights between tensors and files: tensors to {@link RawTensor}s and back, and whole name-to-tensor maps
 * (state dicts) to and from safetensors files.
 *
 * <p>Element types map as follows: float32 ↔ F32, float64 ↔ F64, int64 ↔ I64, bool ↔ BOOL. On reading, F16 and
 * BF16 widen to float32 and the other integer types to int64, since tensors have no narrower types.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class TensorWeights {
    private TensorWeights() {
    }

    /** The values of {@code t} (copied to host memory). */
    public static RawTensor toRaw(Tensor t) {
        long[] shape = t.dims();
        return switch (t.dtype()) {
            case FLOAT32 -> RawTensor.ofFloats(shape, t.toFloatArray());
            case FLOAT64 -> RawTensor.ofDoubles(shape, t.toDoubleArray());
            case INT64 -> RawTensor.ofLongs(shape, t.toLongArray());
            case BOOL -> RawTensor.ofBooleans(shape, t.toBooleanArray());
        };
    }

    /** A new tensor on {@code backend} holding the values of {@code raw}. */
    public static Tensor toTensor(TensorBackend backend, RawTensor raw) {
        long[] shape = raw.shape();
        return switch (raw.dtype()) {
            case F64 -> backend.tensor(raw.toDoubleArray(), shape);
            case F32, F16, BF16, F8_E4M3, F8_E5M2 -> backend.tensor(raw.toFloatArray(), shape);
            case BOOL -> {
                long[] v = raw.toLongArray();
                boolean[] b = new boolean[v.length];
                for (int i = 0; i < v.length; i++) {
                    b[i] = v[i] != 0;
                }
                yield backend.tensor(b, shape);
            }
            default -> backend.tensor(raw.toLongArray(), shape);
        };
    }

    /** The tensor type a raw tensor of {@code dtype} becomes. */
    public static DType tensorType(RawDType dtype) {
        return switch (dtype) {
            case F64 -> DType.FLOAT64;
            case F32, F16, BF16, F8_E4M3, F8_E5M2 -> DType.FLOAT32;
            case BOOL -> DType.BOOL;
            default -> DType.INT64;
        };
    }

    /** Every tensor of the map, in order, as raw tensors. */
    public static Map<String, RawTensor> toRaw(Map<String, Tensor> tensors) {
        Map<String, RawTensor> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> out.put(name, toRaw(t)));
        return out;
    }

    /** Every raw tensor of the map, in order, as new tensors on {@code backend}; the caller closes them. */
    public static Map<String, Tensor> toTensors(TensorBackend backend, Map<String, RawTensor> raw) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try {
            raw.forEach((name, r) -> out.put(name, toTensor(backend, r)));
        } catch (RuntimeException e) {
            out.values().forEach(Tensor::close);
            throw e;
        }
        return out;
    }

    /** Saves tensors to a safetensors file, atomically, with optional string metadata. */
    public static void save(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Safetensors.write(file, toRaw(tensors), metadata);
    }

    /** Saves tensors to a safetensors file, atomically. */
    public static void save(Path file, Map<String, Tensor> tensors) throws IOException {
        save(file, tensors, Map.of());
    }

    /** Loads every tensor of a safetensors file onto {@code backend}; the caller closes them. */
    public static Map<String, Tensor> load(Path file, TensorBackend backend) throws IOException {
        return toTensors(backend, Safetensors.read(file).tensors());
    }

    /** Loads a NumPy {@code .npy} file as a tensor on {@code backend}. */
    public static Tensor loadNpy(Path file, TensorBackend backend) throws IOException {
        return toTensor(backend, RawTensor.fromNpy(Npy.read(file)));
    }
}
