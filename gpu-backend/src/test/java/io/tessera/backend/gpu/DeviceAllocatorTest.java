package io.tessera.backend.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The caching allocator's bookkeeping, over a fake device memory that counts and can run out. */
class DeviceAllocatorTest {

    static final class FakeRaw implements DeviceAllocator.Raw {
        final Set<Long> live = new HashSet<>();
        long next = 0x1000;
        long used;
        long capacity = Long.MAX_VALUE;
        int mallocs;

        @Override
        public long malloc(long bytes) {
            if (used + bytes > capacity) {
                throw new OutOfMemoryError("fake device full");
            }
            mallocs++;
            long a = next;
            next += bytes;
            used += bytes;
            live.add(a);
            sizes.put(a, bytes);
            return a;
        }

        final java.util.Map<Long, Long> sizes = new java.util.HashMap<>();

        @Override
        public void free(long address) {
            assertThat(live.remove(address)).as("free of a live address").isTrue();
            used -= sizes.remove(address);
        }
    }

    @Test
    void roundsSmallTo512AndLargeTo2MiB() {
        assertThat(DeviceAllocator.round(0)).isEqualTo(512);
        assertThat(DeviceAllocator.round(513)).isEqualTo(1024);
        assertThat(DeviceAllocator.round(1 << 20)).isEqualTo(1 << 20);
        assertThat(DeviceAllocator.round((1 << 20) + 1)).isEqualTo(2L << 20);
        assertThat(DeviceAllocator.round(5L << 20)).isEqualTo(6L << 20);
    }

    @Test
    void reusesReleasedBlocksOfTheSameSize() {
        FakeRaw raw = new FakeRaw();
        DeviceAllocator a = new DeviceAllocator(raw);
        for (int step = 0; step < 100; step++) {
            DeviceAllocator.Block x = a.allocate(4000);
            DeviceAllocator.Block y = a.allocate(3 << 20);
            a.release(x);
            a.release(y);
        }
        assertThat(raw.mallocs).isEqualTo(2);
        DeviceAllocator.Stats s = a.stats();
        assertThat(s.hits()).isEqualTo(198);
        assertThat(s.misses()).isEqualTo(2);
        assertThat(s.liveBlocks()).isZero();
        assertThat(s.cachedBytes()).isEqualTo(4096 + (4L << 20));
        a.close();
        assertThat(raw.live).as("close frees the cache").isEmpty();
    }

    @Test
    void emptiesTheCacheAndRetriesWhenTheDeviceIsFull() {
        FakeRaw raw = new FakeRaw();
        raw.capacity = 4L << 20;
        DeviceAllocator a = new DeviceAllocator(raw);
        a.release(a.allocate(3L << 20)); // 4 MiB cached
        DeviceAllocator.Block b = a.allocate(2L << 20); // other size: needs the cached block freed first
        assertThat(a.stats().cachedBytes()).isZero();
        assertThatThrownBy(() -> a.allocate(4L << 20)).isInstanceOf(OutOfMemoryError.class)
                .hasMessageContaining("GPU out of memory").hasMessageContaining("live tensors");
        a.release(b);
        a.close();
        assertThat(raw.live).isEmpty();
    }

    @Test
    void doubleReleaseAndUseAfterCloseAreErrors() {
        FakeRaw raw = new FakeRaw();
        DeviceAllocator a = new DeviceAllocator(raw);
        DeviceAllocator.Block x = a.allocate(10);
        DeviceAllocator.Block y = a.allocate(10);
        a.release(x);
        assertThatThrownBy(() -> a.release(x)).hasMessageContaining("released twice");
        a.close();
        assertThatThrownBy(() -> a.allocate(10)).hasMessageContaining("closed");
        a.release(y); // a tensor closed after its backend: freed at once
        assertThat(raw.live).isEmpty();
    }
}
