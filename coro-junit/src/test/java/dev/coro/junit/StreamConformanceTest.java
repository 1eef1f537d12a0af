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

    @CoroTest
    void chunkedAndDelayedPairs() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            long s = seed;
            StreamConformance.checkHalfCloseableStream(() -> MemoryStreams.builder().chunked(s)
                    .delay(Duration.ofMillis(s)).capacity((int) (s * 1000)).pair());
        }
    }
}
