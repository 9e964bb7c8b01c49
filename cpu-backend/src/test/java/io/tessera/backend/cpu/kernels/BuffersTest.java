package io.tessera.backend.cpu.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The buffer pool hands a released buffer out again for the same type and length, and only then. */
class BuffersTest {

    @Test
    void releasedBufferIsReusedForTheSameTypeAndLengthInAnyShape() {
        Buffers.clear();
        INDArray a = Buffers.uninitialized(DataType.FLOAT, 64, 1024);
        long address = a.data().address();
        Buffers.release(a);
        assertThat(Buffers.pooledBytes()).isEqualTo(64 * 1024 * 4);
        INDArray other = Buffers.uninitialized(DataType.DOUBLE, 64, 1024);
        assertThat(other.data().address()).isNotEqualTo(address);
        INDArray b = Buffers.uninitialized(DataType.FLOAT, 1024, 8, 8);
        assertThat(b.data().address()).isEqualTo(address);
        assertThat(b.shape()).containsExactly(1024, 8, 8);
        assertThat(b.ordering()).isEqualTo('c');
        assertThat(Buffers.pooledBytes()).isZero();
        Buffers.release(b);
        Buffers.release(other);
        Buffers.clear();
        assertThat(Buffers.pooledBytes()).isZero();
    }

    @Test
    void smallArraysAndViewsAreFreedNotPooled() {
        Buffers.clear();
        Buffers.release(Buffers.uninitialized(DataType.FLOAT, 16, 16));
        INDArray big = Nd4j.create(DataType.FLOAT, 256, 256);
        Buffers.release(big.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 128)));
        assertThat(Buffers.pooledBytes()).isZero();
        big.close();
    }

    @Test
    void zerosAreZeroEvenFromAReusedBuffer() {
        Buffers.clear();
        INDArray a = Buffers.uninitialized(DataType.FLOAT, 128, 256);
        a.assign(7);
        Buffers.release(a);
        INDArray z = Buffers.zeros(128, 256);
        assertThat(z.sumNumber().doubleValue()).isZero();
        Buffers.release(z);
        Buffers.clear();
    }
}
