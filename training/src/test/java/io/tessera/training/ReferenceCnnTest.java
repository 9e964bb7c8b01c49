package io.tessera.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tessera.api.nn.Conv2d;
import io.tessera.api.nn.Identity;
import io.tessera.api.nn.Linear;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import io.tessera.training.models.ReferenceCnn;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The one reference CNN: names, size, initialisation order and replaceable convolutions. */
class ReferenceCnnTest {
    private static TensorBackend be;

    @BeforeAll
    static void open() {
        be = TestBackends.cpu();
    }

    @AfterAll
    static void close() {
        be.close();
    }

    @Test
    void hasThePeersSizeAndDrawsItsLayersInOrderFromTheSeed() {
        Generator g = new Generator(7);
        try (ReferenceCnn model = ReferenceCnn.builder(be, 7).build();
             Conv2d c1 = Conv2d.builder(be, 1, 32, 3).padding(1).generator(g).build();
             Conv2d c2 = Conv2d.builder(be, 32, 64, 3).padding(1).generator(g).build();
             Linear f1 = new Linear(be, 3136, 128, g);
             Linear f2 = new Linear(be, 128, 10, g)) {
            Map<String, Tensor> sd = model.stateDict();
            assertThat(sd.keySet()).containsExactly("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                    "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
            assertThat(model.parameterCount()).isEqualTo(421_642);
            assertThat(Arrays.equals(sd.get("conv2.weight").toFloatArray(), c2.weight().toFloatArray())).isTrue();
            assertThat(Arrays.equals(sd.get("fc1.weight").toFloatArray(), f1.weight().toFloatArray())).isTrue();
            assertThat(Arrays.equals(sd.get("fc2.bias").toFloatArray(), f2.bias().toFloatArray())).isTrue();
        }
    }

    @Test
    void aReplacedConvolutionLeavesTheOtherLayersAsTheSeedDrewThem() {
        try (ReferenceCnn plain = ReferenceCnn.builder(be, 3).input(3, 12, 16).classes(5).widths(4, 6, 8).build();
             ReferenceCnn swapped = ReferenceCnn.builder(be, 3).input(3, 12, 16).classes(5).widths(4, 6, 8)
                     .replace((name, conv, gen) -> name.equals("conv2") ? new Identity() : conv).build();
             TensorScope sc = Tensors.scope()) {
            assertThat(swapped.conv2()).isInstanceOf(Identity.class);
            assertThat(swapped.stateDict().keySet()).doesNotContain("conv2.weight");
            for (String n : new String[] {"conv1.weight", "fc1.bias", "fc2.weight"}) {
                assertThat(Arrays.equals(swapped.stateDict().get(n).toFloatArray(),
                        plain.stateDict().get(n).toFloatArray())).as(n).isTrue();
            }
            Tensor y = plain.forward(new Generator(1).normal(be, Shape.of(2, 3, 12, 16), 0, 1));
            assertThat(y.dims()).containsExactly(2, 5);
        }
    }

    @Test
    void refusesImagesSmallerThanFourByFour() {
        assertThatThrownBy(() -> ReferenceCnn.builder(be, 1).input(1, 3, 3).build())
                .hasMessageContaining("at least 4×4");
    }
}
