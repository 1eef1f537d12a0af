/**
 * What coro's own synchronisation, channels, streams, timeouts and task groups are built on, public
 * so that a primitive of yours can be built the same way: suspend a task, wake it, and take it out
 * of its wait when it is cancelled.
 *
 * <p>Which tool for which primitive:
 * <ul>
 *   <li>Tasks of <b>one loop</b> wait and are woken on that loop (a lock, an event, a gate):
 *       {@link dev.coro.lowlevel.ParkingLot}, a FIFO queue that takes a cancelled waiter out
 *       itself; {@link dev.coro.lowlevel.ParkingLot#parkHandOff parkHandOff} when a woken waiter is
 *       handed something (a permit, an item) that a cancellation before it runs must pass on. A
 *       plain thread that must act on such a primitive runs the call on the loop with
 *       {@link dev.coro.EventLoop#callSoonThreadsafe}.</li>
 *   <li>One task waits for a <b>result another thread or loop produces</b> and keeps (a
 *       future): {@link dev.coro.lowlevel.Waker}, woken once from anywhere. A wake that comes
 *       after the task's cancellation, or before it but not yet seen by the task, is dropped.</li>
 *   <li>Tasks of <b>any loop, or plain threads</b>, wait in a queue that any thread may end, and a
 *       value handed to a waiter must not be lost (a channel shared between loops, a cross-thread
 *       semaphore): {@link dev.coro.lowlevel.Waiter} in a {@link dev.coro.lowlevel.WaitList}
 *       guarded by your own lock. {@link dev.coro.lowlevel.Waiter#claim claim} decides once between
 *       a waker and the waiter's cancellation; the {@code onCancel} of
 *       {@link dev.coro.lowlevel.Waiter#await await} takes the waiter out of your queue.</li>
 *   <li>Anything else: {@link dev.coro.lowlevel.Traps#park Traps.park} with an
 *       {@link dev.coro.lowlevel.AbortHandler} of your own, and {@code Traps.reschedule*} on the
 *       task's loop.</li>
 * </ul>
 *
 * <p>Whatever wakes a task, its cancellation and its loop's close reach the wait through the
 * abort handler (the lot's, the waker's, a waiter's {@code onCancel}, or yours). A primitive that
 * keeps waiters in structures of its own removes them there (a waiter's {@code onCancel}, your
 * {@code AbortHandler}), not in a {@code finally} block after the park, which a task destroyed by
 * its loop's close does not run (see {@link dev.coro.EventLoop#close()}). A waker has no such hook:
 * a list of wakers keeps a destroyed task's until it is woken.
 *
 * <p>Virtual time: a wait in a lot or a {@code Traps.park} holds nothing, so the clock jumps as soon
 * as every task waits; a wait that another thread may end holds it for a grace of real time first
 * ({@link dev.coro.lowlevel.Waker#create()}, or {@code Waiter.await} with {@code holdsClock}), as
 * {@link dev.coro.Coro#await} does. Tests of a primitive run on
 * {@code EventLoop.builder().virtualTime()}, with {@code schedulingSeed(n)} to shuffle each pass's
 * order, or under coro-junit's {@code @CoroTest}, which does both and checks what a test leaves
 * behind.
 */
package dev.coro.lowlevel;
