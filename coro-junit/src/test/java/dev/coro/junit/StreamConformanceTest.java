package dev.coro.junit;

import dev.coro.net.MemoryStreams;
import java.time.Duration;

/** The conformance suite on memory streams, in virtual time: buffered, lockstep, chunked, delayed. */
class StreamConformanceTest {

    @CoroTest
    void memoryPairs() throws Exception {
        StreamConformance.checkHalfCloseableStream(MemoryStreams::pair);
    }

    @CoroTest
    void lockstepPairs() throws Exception {
        StreamConformance.checkHalfCloseableStream(MemoryStreams::lockstepPair);
    }

    // One test per seed: on the thread backend the three took 42-46 s together, near the 60 s limit.
    @CoroTest
    void chunkedAndDelayedPairsSeed1() throws Exception {
        chunkedAndDelayed(1);
    }

    @CoroTest
    void chunkedAndDelayedPairsSeed2() throws Exception {
        chunkedAndDelayed(2);
    }

    @CoroTest
    void chunkedAndDelayedPairsSeed3() throws Exception {
        chunkedAndDelayed(3);
    }

    private static void chunkedAndDelayed(long seed) throws Exception {
        StreamConformance.checkHalfCloseableStream(() -> MemoryStreams.builder().chunked(seed)
                .delay(Duration.ofMillis(seed)).capacity((int) (seed * 1000)).pair());
    }
}
