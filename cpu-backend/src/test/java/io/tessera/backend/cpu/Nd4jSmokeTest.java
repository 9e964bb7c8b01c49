package io.tessera.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class Nd4jSmokeTest {
    @Test
    void nd4jMultipliesMatrices() {
        INDArray a = Nd4j.create(new float[] {1, 2, 3, 4}, new long[] {2, 2});
        INDArray b = a.mmul(a);
        assertThat(b.reshape(4).toFloatVector()).containsExactly(7, 10, 15, 22);
    }
}
