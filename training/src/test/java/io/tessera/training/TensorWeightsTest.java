package io.tessera.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.tessera.api.io.Npy;
import io.tessera.api.io.RawDType;
import io.tessera.api.io.RawTensor;
import io.tessera.api.io.TensorWeights;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorWeightsTest {
    private static TensorBackend backend;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() {
        backend = TestBackends.cpu();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    @Test
    void roundTripsEveryTensorDtypeThroughSafetensors() throws IOException {
        try (TensorScope sc = Tensors.scope()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("f32", backend.tensor(new float[] {1.5f, -2}, 2, 1));
            tensors.put("f64", backend.tensor(new double[] {Math.E}, 1));
            tensors.put("i64", backend.tensor(new long[] {-3, 1L << 40}, 2));
            tensors.put("bool", backend.tensor(new boolean[] {true, false, true}, 3));
            Path f = dir.resolve("w.safetensors");
            TensorWeights.save(f, tensors, Map.of("by", "tessera"));
            Map<String, Tensor> back = TensorWeights.load(f, backend);
            assertThat(back.keySet()).containsExactly("f32", "f64", "i64", "bool");
            assertThat(back.get("f32").dims()).containsExactly(2, 1);
            assertThat(back.get("f32").toFloatArray()).containsExactly(1.5f, -2f);
            assertThat(back.get("f64").dtype()).isEqualTo(DType.FLOAT64);
            assertThat(back.get("f64").toDoubleArray()).containsExactly(Math.E);
            assertThat(back.get("i64").toLongArray()).containsExactly(-3L, 1L << 40);
            assertThat(back.get("bool").toBooleanArray()).containsExactly(true, false, true);
            back.values().forEach(Tensor::close);
        }
    }

    @Test
    void widensHalfPrecisionToFloat32() {
        ByteBuffer half = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3800)
                .putShort((short) 0xbc00);
        half.flip();
        try (Tensor t = TensorWeights.toTensor(backend, new RawTensor(RawDType.F16, new long[] {2}, half))) {
            assertThat(t.dtype()).isEqualTo(DType.FLOAT32);
            assertThat(t.toFloatArray()).containsExactly(0.5f, -1f);
        }
        assertThat(TensorWeights.tensorType(RawDType.I32)).isEqualTo(DType.INT64);
    }

    @Test
    void readsNpyIntoATensor() throws IOException {
        Path f = dir.resolve("a.npy");
        Npy.writeFloat(f, new long[] {2, 2}, new float[] {1, 2, 3, 4});
        try (Tensor t = TensorWeights.loadNpy(f, backend)) {
            assertThat(t.dims()).containsExactly(2, 2);
            assertThat(t.toFloatArray()).containsExactly(1, 2, 3, 4);
        }
    }
}
