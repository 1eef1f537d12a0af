package dev.coro.time;

/** {@link Clock#system()}: wall-clock time that passes by itself. */
enum SystemClock implements Clock {
    INSTANCE;

    @Override
    public long nanos() {
        return System.nanoTime();
    }

    @Override
    public String toString() {
        return "SystemClock";
    }
}
