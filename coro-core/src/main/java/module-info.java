/**
 * coro: asyncio for Java. Generators, tasks, an event loop with timers, cancellation, task groups,
 * synchronisation primitives, queues and non-blocking streams, on one thread per loop.
 */
module dev.coro {
    requires java.management;
    requires jdk.jfr;           // coro's flight-recorder events (dev.coro.internal.jfr)
    requires jdk.unsupported;   // sun.misc.Signal: Ctrl-C in Coro.run

    exports dev.coro;
    exports dev.coro.channel;
    exports dev.coro.gen;
    exports dev.coro.lowlevel;
    exports dev.coro.net;
    exports dev.coro.sync;
    exports dev.coro.time;
    exports dev.coro.trace;
}
