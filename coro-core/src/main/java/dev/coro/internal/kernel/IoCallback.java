package dev.coro.internal.kernel;

import java.nio.channels.SelectionKey;

/** What the kernel calls when a registered channel is ready; the attachment of every selection key. */
@FunctionalInterface
public interface IoCallback {
    /** Called on the loop thread in the I/O phase with the key whose ready set is fresh. */
    void onReady(SelectionKey key);
}
