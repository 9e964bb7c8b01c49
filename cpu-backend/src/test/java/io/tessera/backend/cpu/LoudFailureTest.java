package io.tessera.backend.cpu;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LoudFailureTest {
    static TensorBackend be;

    @BeforeAll
    static void open() {
        be = new CpuBackendProvider().create();
    }

    @AfterAll
    static void close() {
        be.close();
    }

    @Test
    void shapeMismatchNamesOpAndShapes() {
        try (TensorScope s = Tensors.scope()) {
            Tensor a = be.zeros(2, 3);
            Tensor b = be.zeros(4, 3);
            assertThatThrownBy(() -> a.add(b)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("add").hasMessageContaining("[2, 3]").hasMessageContaining("[4, 3]");
            assertThatThrownBy(() -> a.matmul(b)).hasMessageContaining("matmul")
                    .hasMessageContaining("'other'").hasMessageContaining("[4, 3]");
            assertThatThrownBy(() -> Functional.conv2d(be.zeros(1, 3, 5, 5), be.zeros(4, 2, 3, 3), null,
                    new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1))
                    .hasMessageContaining("conv2d").hasMessageContaining("[4, 2, 3, 3]");
        }
    }

    @Test
    void dtypeMismatchNamesArgument() {
        try (TensorScope s = Tensors.scope()) {
            Tensor a = be.zeros(2);
            Tensor b = be.zeros(Shape.of(2), DType.FLOAT64);
            assertThatThrownBy(() -> a.mul(b)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("mul").hasMessageContaining("dtype mismatch")
                    .hasMessageContaining("'other'").hasMessageContaining("float64[2]");
        }
    }

    @Test
    void opOnClosedTensorFails() {
        Tensor a = be.zeros(2);
        Tensor b = be.ones(2);
        b.close();
        assertThatThrownBy(() -> a.sub(b)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sub").hasMessageContaining("'other'").hasMessageContaining("closed");
        assertThatThrownBy(b::toFloatArray).isInstanceOf(IllegalStateException.class);
        a.close();
    }

    @Test
    void mixingBackendsFails() {
        try (TensorBackend other = new CpuBackendProvider().create(); TensorScope s = Tensors.scope()) {
            Tensor a = be.zeros(2);
            Tensor b = other.zeros(2);
            assertThatThrownBy(() -> a.div(b)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("div").hasMessageContaining("backend").hasMessageContaining("copyOf");
        }
    }

    @Test
    void dataOfTheWrongLengthIsRejected() {
        assertThatThrownBy(() -> be.tensor(new float[5], 2, 3)).hasMessageContaining("5 values")
                .hasMessageContaining("[2, 3]");
    }

    @Test
    void inPlaceUpdateOfRecordedTensorIsRefused() {
        try (TensorScope s = Tensors.scope()) {
            Tensor w = be.ones(2).requiresGrad(true);
            assertThatThrownBy(() -> w.mulInPlace(2)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("noGrad");
        }
    }
}
