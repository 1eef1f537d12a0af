package dev.coro.internal.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.channels.Pipe;
import org.junit.jupiter.api.Test;

class IoDriverTest {
    /**
     * The kernel polls once per pass, and a busy server runs thousands of passes a second: a poll
     * that finds nothing ready must allocate nothing (a method reference made per call did: 16 bytes
     * a pass).
     */
    @Test
    void aPollThatFindsNothingReadyAllocatesNothing() throws Exception {
        // com.sun.management's interface, reflectively: the module under test does not read jdk.management.
        Method allocated = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
        Object threads = ManagementFactory.getThreadMXBean();
        IoDriver driver = new IoDriver((waiter, error) -> {});
        Pipe pipe = Pipe.open();
        try {
            pipe.source().configureBlocking(false);
            driver.register(pipe.source()).arm(true, "reader");
            int polls = 50_000;
            for (int i = 0; i < polls; i++) driver.poll(0, () -> false);   // warm up: the first calls allocate once
            long tid = Thread.currentThread().threadId();
            long before = (long) allocated.invoke(threads, tid);
            for (int i = 0; i < polls; i++) driver.poll(0, () -> false);
            long perPoll = ((long) allocated.invoke(threads, tid) - before) / polls;
            assertThat(perPoll).as("bytes allocated per poll").isZero();
        } finally {
            pipe.source().close();
            pipe.sink().close();
            driver.close();
        }
    }
}
