package dev.coro.net;

/**
 * Two connected streams: what {@code left} writes, {@code right} reads, and the other way round.
 *
 * @param left one end
 * @param right the other end
 */
public record StreamPair(ByteStream left, ByteStream right) {}
