package dev.coro.gen;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.EventLoop;
import dev.coro.Task;
import dev.coro.channel.BrokenChannelException;
import dev.coro.channel.Channel;
import dev.coro.channel.EndOfChannelException;
import dev.coro.channel.ReceiveChannel;
import dev.coro.channel.Select;
import dev.coro.channel.SendChannel;
import dev.coro.internal.OpenGenerators;
import dev.coro.internal.Sneaky;
import dev.coro.internal.fiber.Fiber;
import dev.coro.internal.kernel.Kernel;
import dev.coro.internal.kernel.Scope;
import dev.coro.internal.kernel.TaskCore;
import dev.coro.lowlevel.SelectClause;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.Flow;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A generator whose body may suspend the consumer's task: it runs in that task, on its stack, and
 * may sleep, join, receive from channels, read sockets and take locks between its yields.
 *
 * <pre>{@code
 * try (AsyncGenerator<String> lines = AsyncGenerator.of(out -> {
 *     for (String l : ch.receiver()) out.yield(l.trim());
 * })) {
 *     for (String l : lines) handle(l);
 * }
 * }</pre>
 *
 * <p>Cancelling the consumer raises {@link dev.coro.CancelledError} at the body's suspension
 * points. No cancel scope, timeout or task group opened in the body may stay open across a
 * {@code yield} (PEP 789: the consumer would run inside the body's scope, and a cancellation meant
 * for the body would hit it): such a yield throws {@link IllegalStateException} in the body; use
 * {@link #buffer(int)}, which runs the body in a task of its own. {@link #close()} unwinds the body
 * in the consumer's task, and its {@code finally} blocks may suspend. An async generator is its
 * own single-use {@link Iterator} and {@link Iterable}. The laziness, error and confinement rules
 * of {@link Generator} hold otherwise. Both fiber backends.
 *
 * <p>One that is dropped without {@code close()} while its body waits at a yield is closed by its
 * loop once the garbage collector finds it, in a task of its own named
 * {@code close-AsyncGenerator@...} (not the consumer's), where its {@code finally} blocks may
 * suspend; a failure there goes to the loop's exception handler (asyncio's async generator
 * finalizer hook). Still open when its loop closes, it is closed then. Driven outside any loop,
 * it goes as a dropped {@link Generator} goes.
 *
 * <p>Limit: a body that reaches its own generator, directly or through what it captures (a
 * connection whose field holds the generator and whose body reads through the connection), keeps
 * that generator reachable while it waits at a yield, because what closes it must keep the body's
 * stack (Java has no ephemerons, so no collector can tell this cycle from a live one). Such a
 * generator is never found dropped: it stays open, with everything its body reaches, until it is
 * closed or its loop closes. Close it explicitly, e.g. in its holder's {@code close()}; once closed
 * nothing of the loop keeps it.
 *
 * <p>Invariant: the body runs only while the consumer is inside {@code hasNext}, {@code next} or
 * {@code close}, in the consumer's task.
 *
 * @param <T> the type of the values it yields
 */
/* Implementation notes:
 *
 * The body runs on a nested fiber (a Frame) that forwards suspensions: when the body suspends the
 * task (any trap), its own fiber suspends instead, Frame.resume sees the forwarded request and
 * suspends the task's fiber itself, from the consumer's frame, where that is legal on both
 * backends; when the kernel resumes the task, Frame resumes the body, whose trap then returns as
 * usual. The kernel never knows: see Fiber.forwardSuspensions.
 *
 * PEP 789 check: the consumer's innermost scope is recorded before each resumption; a yield made
 * while the task's innermost scope is another one means a scope opened in the body is still open.
 * A body that a feeder task runs (buffer, chunked, mapParallel, merge) is not checked: it never
 * stops at a yield, which sends the value into the channel itself (Out.sink), inside the body's
 * scopes, so that a deadline of the body that passes while the send waits is the body's to handle.
 *
 * Closing when dropped or at the loop's close: a generator whose first step ended at a yield
 * registers with the loop (an entry in the kernel's OpenGenerators, which holds the body's side and
 * never this handle, unless the body reaches it: see the class comment) and leaves when it finishes
 * or is closed. A Cleaner tells the loop when the handle became unreachable, and the loop closes the
 * body in a task of its own (Registration); the entry leaves the Cleaner too when the generator
 * finishes or is closed, since the Cleaner holds the body and so whatever it reaches. The
 * loop's close closes the rest. Only a body waiting at a yield (Out.atYield) may be closed by another
 * task: a body suspended inside its consumer's wait belongs to that task.
 *
 * Thread context: on the thread backend the body runs on a thread of its own, so the consumer's
 * TaskSwitchListeners are told the task's code moves there and back at every hand-over, as for every
 * generator (Frame); on the continuation backend both share the loop thread.
 */
public final class AsyncGenerator<T> implements Iterator<T>, Iterable<T>, AutoCloseable {
    private final Out<T> out;
    private final Frame<Void, Void> frame;
    private boolean iterated;

    private AsyncGenerator(Generator.Body<T> body) {
        this.out = new Out<>(body);
        this.frame = Frame.forwarding(out::run, "AsyncGenerator");
        out.frame = frame;
    }

    /**
     * An async generator over {@code body}; nothing of it runs before the first {@code hasNext}/{@code next}.
     *
     * @param <T> the type of the values
     * @param body what yields the values; it runs in the consuming task and may suspend
     * @return a new generator, not started; iterate it once and close it (try-with-resources)
     */
    public static <T> AsyncGenerator<T> of(Generator.Body<T> body) {
        Objects.requireNonNull(body, "AsyncGenerator.of: body is null (expected: what yields the values, such as"
                + " out -> { for (String line : lines) out.yield(line); })");
        return new AsyncGenerator<>(body);
    }

    /**
     * Whether there is a next value: runs the body to its next yield if needed.
     *
     * <p><b>Checkpoint:</b> wherever the body suspends. <b>Cancellation:</b> raised at the body's
     * suspension points; the body may catch it in a {@code finally} and then the generator is done.
     * <b>Thread safety:</b> inside a task of the loop it first ran on; not from another loop's thread,
     * nor from inside its own body.
     *
     * @return {@code true} if a value is ready for {@link #next()}; false once the body has finished
     */
    @Override
    public boolean hasNext() {
        if (out.full) return true;
        if (frame.isDone()) return false;
        refuseIfDrivenElsewhere("hasNext");
        boolean first = frame.isNew();
        out.drive(false);
        if (out.full) {
            if (first) register();
            return true;
        }
        out.unregister();
        Throwable f = frame.failure();
        if (f != null) throw Sneaky.<RuntimeException>rethrow(f);
        return false;
    }

    /**
     * The next value; checkpoint, cancellation and thread safety as {@link #hasNext()}.
     *
     * @return the value the body yielded next
     * @throws NoSuchElementException if the body has finished
     */
    @Override
    public T next() {
        if (!hasNext()) throw new NoSuchElementException(frame.name() + " has finished");
        T v = out.value;
        out.value = null;
        out.full = false;
        return v;
    }

    /**
     * This generator itself: it is a single-use iterable.
     *
     * @throws IllegalStateException on a second call
     */
    @Override
    public Iterator<T> iterator() {
        if (iterated) {
            throw new IllegalStateException(frame.name() + ".iterator() called twice: an async generator is a single-use "
                    + "iterable. Make a new one with AsyncGenerator.of(body) to iterate again.");
        }
        iterated = true;
        return this;
    }

    /**
     * A lazy sequential stream over the remaining values; closing the stream closes the generator.
     *
     * @return a stream that pulls values from this generator as it is consumed, in the calling task
     */
    public Stream<T> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED), false)
                .onClose(this::close);
    }

    /**
     * Unwinds a suspended body in the calling task: its {@code finally} blocks run, and may suspend.
     * A no-op when the body never started or has finished.
     *
     * @throws IllegalStateException if the body yields while being closed
     */
    @Override
    public void close() {
        refuseIfDrivenElsewhere("close");
        out.close();
    }

    /* A started body that is not at a yield is suspended inside a wait of the task that drives it:
     * resuming it from here would resume that task's wait (Python: "already running"). */
    private void refuseIfDrivenElsewhere(String method) {
        if (frame.isSuspended() && !out.atYield) {
            throw new IllegalStateException("AsyncGenerator." + method + "(): " + frame.name() + " is already running: "
                    + "another task is suspended inside its body. Drive an async generator from one task at a "
                    + "time; to share its values, let that task send them through a Channel.");
        }
    }

    /*
     * After the first step ended at a yield: the loop closes this generator if it is dropped without
     * close, or at its close if nobody has. Neither the body's side (Out) nor the frame refers to
     * this object, so that it can become unreachable while the body waits at a yield.
     */
    private void register() {
        Kernel k = Kernel.current();
        if (k == null) {   // driven outside any loop: dropped, it goes as a Generator goes
            frame.abandonWhenUnreachable(this);
            return;
        }
        Registration r = new Registration(out, k);
        out.registration = r;
        k.view().openGenerators().add(r);
        r.cleanable = Registration.CLEANER.register(this, r);
    }

    /**
     * An async generator that runs this one in a child task, at most {@code n} values ahead (plus the
     * one being produced), behind a {@link Channel}: there the body may keep a cancel scope or task
     * group open across its yields. A failure of this generator is thrown once the values it produced
     * before it are handed out. Closing the buffered generator cancels the child task.
     *
     * @param n how many values the child task may produce ahead of the consumer, at least 1
     * @return a new generator of the same values in the same order; this one must not be used directly any more
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public AsyncGenerator<T> buffer(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("AsyncGenerator.buffer: n: " + n + " (expected: >= 1, how many values the"
                    + " child task may produce ahead, such as 16)");
        }
        return viaChannel(List.of(this), Channel.buffered(n), AsyncGenerator::forward);
    }

    /**
     * An async generator of lists of at most {@code n} values: a chunk is handed out when it is full,
     * or when {@code maxWait} has passed since its first value arrived, whichever comes first
     * (kotlinx.coroutines#1302). This generator runs in a child task, as with {@link #buffer(int)}.
     *
     * @param n the most values in one chunk, at least 1
     * @param maxWait the longest a chunk's first value waits for the others, on the loop's clock
     * @return a new generator of non-empty, unmodifiable lists, in the order of the values
     * @throws IllegalArgumentException if {@code n < 1} or {@code maxWait} is not positive
     */
    public AsyncGenerator<List<T>> chunked(int n, Duration maxWait) {
        if (n < 1) {
            throw new IllegalArgumentException("AsyncGenerator.chunked: n: " + n + " (expected: >= 1, the most values in"
                    + " one chunk, such as 100)");
        }
        Objects.requireNonNull(maxWait, "AsyncGenerator.chunked: maxWait is null (expected: a Duration > 0, such as"
                + " Duration.ofMillis(100); to hand out values without waiting use buffer(n))");
        if (maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("AsyncGenerator.chunked: maxWait: " + maxWait + " (expected: > 0, how long"
                    + " a chunk's first value may wait for more; to hand out values without waiting use buffer(n))");
        }
        return viaChannel(List.of(this), Channel.<T>rendezvous(), (rx, out) -> {
            List<T> chunk = new ArrayList<>(n);
            boolean ended = false;
            for (T first : rx) {
                chunk.add(first);
                long deadline = Coro.loop().time() + maxWait.toNanos();
                boolean more = true;
                while (more && chunk.size() < n) {
                    Duration left = Duration.ofNanos(Math.max(0, deadline - Coro.loop().time()));
                    try {
                        more = Select.select(rx.onReceive(chunk::add), Select.onTimeout(left, () -> false));
                    } catch (EndOfChannelException end) {
                        more = false;
                        ended = true;
                    }
                }
                out.yield(List.copyOf(chunk));
                chunk.clear();
                if (ended) return;
            }
        });
    }

    /**
     * An async generator of {@code fn} applied to each value, with up to {@code n} calls at once in
     * child tasks; the results come in the order of the values, each as soon as it and those before
     * it are done. A call counts against {@code n} from its start until its result is handed out, so
     * a slow call holds back the start of new ones once the {@code n - 1} after it are done (for
     * results in completion order, spawn the calls and iterate {@link Coro#asCompleted}). This
     * generator runs in a child task, as with {@link #buffer(int)}. Closing the result cancels the
     * calls still running. A failing call fails the generator when its result is due.
     *
     * @param <R> the type of the results
     * @param n the most calls of {@code fn} started and not yet handed out, at least 1
     * @param fn what each value is mapped with; it runs in a child task and may suspend
     * @return a new generator of the results, in the order of the values
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public <R> AsyncGenerator<R> mapParallel(int n, SelectClause.Callback<? super T, ? extends R> fn) {
        if (n < 1) {
            throw new IllegalArgumentException("AsyncGenerator.mapParallel: n: " + n + " (expected: >= 1, the most calls"
                    + " running at once, such as 8; 1 maps one value at a time)");
        }
        Objects.requireNonNull(fn, "AsyncGenerator.mapParallel: fn is null (expected: what each value is mapped with,"
                + " such as url -> fetch(url))");
        return viaChannel(List.of(this), Channel.<T>rendezvous(), (rx, out) -> {
            ArrayDeque<Task<R>> running = new ArrayDeque<>(n);
            try {
                boolean ended = false;
                while (!(ended && running.isEmpty())) {
                    Task<R> head = running.peek();
                    if (head != null && (head.isDone() || ended || running.size() == n)) {
                        out.yield(running.poll().join());
                        continue;
                    }
                    // room for another call: take the next value, or hand out the head once it is done
                    try {
                        if (head == null) {
                            running.add(call(fn, rx.receive()));
                        } else {
                            Select.select(head.onJoin(v -> null), rx.onReceive(x -> running.add(call(fn, x))));
                        }
                    } catch (EndOfChannelException end) {
                        ended = true;
                    }
                }
            } finally {
                stop(new ArrayList<>(running));
            }
        });
    }

    private static <T, R> Task<R> call(SelectClause.Callback<? super T, ? extends R> fn, T x) {
        return Coro.spawn(() -> fn.apply(x));
    }

    /**
     * One async generator of the values of all {@code sources}, in the order they come: each source
     * runs in a child task. The merged generator ends when every source has, and fails with the
     * first failure of a source as soon as the values received before it are handed out, without
     * waiting for the other sources, which are cancelled then; closing it cancels every source still
     * running.
     *
     * @param <T> the type of the values
     * @param sources the generators to merge, each then owned by the merged one
     * @return a new generator of every source's values, interleaved in the order they arrive
     */
    @SafeVarargs
    public static <T> AsyncGenerator<T> merge(AsyncGenerator<? extends T>... sources) {
        Objects.requireNonNull(sources, "AsyncGenerator.merge: sources is null (expected: the generators to merge,"
                + " such as AsyncGenerator.merge(a, b))");
        for (int i = 0; i < sources.length; i++) {
            if (sources[i] == null) {
                throw new NullPointerException("AsyncGenerator.merge: sources[" + i + "] is null (expected: an"
                        + " AsyncGenerator, such as one AsyncGenerator.of(body) returned)");
            }
        }
        return viaChannel(List.of(sources), Channel.<T>rendezvous(), AsyncGenerator::forward);
    }

    /**
     * A Reactive Streams publisher ({@link java.util.concurrent.Flow}) of this generator's values,
     * for Reactor, RxJava, Mutiny, Spring or the JDK's HttpClient. Its one subscriber is served by a
     * task of {@code loop}, where the body runs, as fast as the subscriber requests; cancelling the
     * subscription closes the generator there at once, even while the body waits between values. What
     * the body throws, an {@link Error} included, reaches the subscriber's {@code onError} as it is. If
     * that task is cancelled otherwise (its loop or group closing), the subscriber gets
     * {@code onError} with a {@link java.util.concurrent.CancellationException}. A second subscriber
     * gets {@code onError}: an async generator runs once.
     *
     * @param loop the loop whose task runs the body and serves the subscriber
     * @return a new publisher for at most one subscriber
     */
    public Flow.Publisher<T> toPublisher(EventLoop loop) {
        Objects.requireNonNull(loop, "AsyncGenerator.toPublisher: loop is null (expected: the loop whose task runs"
                + " the body and serves the subscriber, such as Coro.loop())");
        return new GeneratorPublisher<>(this, loop);
    }

    /**
     * An async generator of a Reactive Streams publisher's values: the body subscribes when it
     * starts, requests {@code prefetch} values and more as they are taken, so the publisher is never
     * more than {@code prefetch} values ahead; a publisher's {@code onError} is thrown by {@code next}
     * or {@code hasNext}; closing the generator cancels the subscription. Any thread may signal.
     *
     * @param <T> the type of the values
     * @param publisher what to subscribe to when the body starts
     * @param prefetch the most values the publisher may send ahead of the consumer, at least 1
     * @return a new generator, not started: nothing is subscribed before its first {@code hasNext}
     * @throws IllegalArgumentException if {@code prefetch < 1}
     */
    public static <T> AsyncGenerator<T> fromPublisher(Flow.Publisher<? extends T> publisher, int prefetch) {
        Objects.requireNonNull(publisher, "AsyncGenerator.fromPublisher: publisher is null (expected: the"
                + " Flow.Publisher to subscribe to when the body starts)");
        if (prefetch < 1) {
            throw new IllegalArgumentException("AsyncGenerator.fromPublisher: prefetch: " + prefetch + " (expected: >= 1,"
                    + " the most values the publisher may send ahead, such as 16)");
        }
        return PublisherSubscriber.generator(publisher, prefetch);
    }

    /** What the consuming side of {@link #viaChannel} does with the channel. */
    private interface Drain<T, U> {
        void run(ReceiveChannel<T> rx, Generator.Yielder<U> out) throws Exception;
    }

    private static <T> void forward(ReceiveChannel<T> rx, Generator.Yielder<T> out) {
        for (T x : rx) out.yield(x);
    }

    /*
     * Each source runs in a child task of the consumer and sends into ch through a send handle of
     * its own, at each of its yields; the consumer's side drains ch. A failing source records its
     * failure and closes every send handle, its own and the other sources': the channel then ends
     * for the consumer once the items already in it are taken, whether or not another source would
     * ever send again (a waiting send gets ChannelClosedException, and its item never arrived). The
     * failure is thrown after the drain has ended and the other sources are cancelled. Closing the
     * result cancels the sources.
     * A failure is any Throwable (an AssertionError or StackOverflowError too, as for an unbuffered
     * generator) but the CancelledError of a feeder that stop() or a closing loop cancelled, and the
     * unwinding of a feeder abandoned by its closed loop (thread backend).
     */
    private static <T, U> AsyncGenerator<U> viaChannel(List<? extends AsyncGenerator<? extends T>> sources,
                                                     Channel<T> ch, Drain<T, U> drain) {
        return of(out -> {
            Throwable[] failure = new Throwable[1];
            List<SendChannel<T>> txs = new ArrayList<>();
            for (int i = 0; i < sources.size(); i++) txs.add(ch.sender().clone());
            ch.sender().close();
            List<Task<Void>> feeders = new ArrayList<>();
            for (int i = 0; i < sources.size(); i++) feeders.add(feed(sources.get(i), txs.get(i), txs, failure));
            try (ReceiveChannel<T> rx = ch.receiver()) {
                drain.run(rx, out);
            } finally {
                stop(feeders);
            }
            if (failure[0] != null) throw Sneaky.<RuntimeException>rethrow(failure[0]);
        });
    }

    private static <T> Task<Void> feed(AsyncGenerator<? extends T> g, SendChannel<T> tx, List<SendChannel<T>> all,
                                       Throwable[] failure) {
        return Coro.spawn(g.frame.name() + "-feeder", () -> {
            try (tx; g) {
                g.out.sink = tx;
                // One step runs the whole body: each of its yields sends (Out.send) instead of stopping there.
                if (g.hasNext()) throw new IllegalStateException("coro bug: " + g + " stopped at a yield of a fed body");
            } catch (Throwable e) {
                // The consumer is done with this source (closed, cancelled, or its loop closing): nothing failed.
                if (e instanceof CancelledError && Kernel.currentTask().isCancelRequested() || Fiber.unwindsAbandoned(e)) {
                    throw e;
                }
                if (g.out.consumerGone) return;   // closed at a yield as nobody wants its values: whatever it threw then
                // a send cut off by another source's failure throws ChannelClosedException: only the first failure counts
                if (failure[0] == null) {
                    failure[0] = e;
                    for (SendChannel<T> h : all) h.close();
                }
            }
        });
    }

    /* Cancels the child tasks and waits for them, even if the consumer is being cancelled. */
    private static void stop(List<? extends Task<?>> tasks) {
        for (Task<?> t : tasks) t.cancel();
        Coro.shield(() -> Coro.gatherSettled(tasks));
    }

    private static Scope currentScope() {
        TaskCore t = Kernel.currentTask();
        return t == null ? null : t.scope();
    }

    @Override
    public String toString() {
        return out.toString();
    }

    /**
     * The loop's entry for a generator, and what its loop does once the generator's handle is
     * unreachable (asyncio's async generator finalizer hook): it closes the body in a task of its own.
     */
    /* Implementation notes:
     *
     *   open     dropped (Cleaner thread)    closeDropped (loop)             closeAll (loop's close)
     *   true     posts closeDropped;         spawns `closer` if the body     waits for `closer` if any,
     *            after closeAll or the       waits at a yield                then closes if at a yield;
     *            loop's close: abandons                                      still at one: abandons,
     *                                                                        open := false
     *   false    -                           -                               -
     *
     * `open` turns false when the body finishes or is closed (Out.unregister) or is abandoned; it is
     * volatile for the Cleaner thread, which touches nothing else. `closer` is loop-confined. A closer
     * still pending when the loop closes is waited for, so that no task of ours is destroyed pending.
     */
    private static final class Registration extends OpenGenerators.Entry implements Runnable {
        static final Cleaner CLEANER = Cleaner.create();
        private static final String DROPPED = "dropped without close()";
        private final Out<?> out;
        private final Kernel kernel;
        volatile boolean open = true;
        Cleaner.Cleanable cleanable;
        private Task<Void> closer;

        Registration(Out<?> out, Kernel kernel) {
            super(kernel.view().openGenerators());
            this.out = out;
            this.kernel = kernel;
        }

        /* On the Cleaner thread: the handle is unreachable. A hand-over refused or lost at the loop's
         * close is released here (left to a task that was destroyed pending) or by closeAll. */
        @Override
        public void run() {
            if (!open) return;
            try {
                EventLoop loop = (EventLoop) kernel.handle();
                OpenGenerators registry = kernel.view().openGenerators();
                if (registry.handOverUnlessShut(() -> loop.callSoonThreadsafe(this::closeDropped))) return;
            } catch (IllegalStateException loopClosed) {
                // closed otherwise than through closeAll: released below
            }
            out.frame.abandon();
        }

        private void closeDropped() {
            if (!open || !out.atYield) return;   // closed or being closed by the loop's close meanwhile
            closer = Coro.spawn("close-" + out.frame.name(), () -> closeIfClosable(DROPPED, this::report));
        }

        /* A cancelled closer (Coro.run cancels the leftovers) is not a failure of the cleanup. */
        private void report(String message, Throwable failure) {
            if (failure instanceof CancelledError c) throw c;
            kernel.report(message, failure);
        }

        /* A closer that another task (the loop's close) must wait for: pending, or inside the cleanup. */
        private boolean closerElsewhere() {
            return closer != null && !closer.isDone() && closer != Coro.currentTask();
        }

        @Override
        protected boolean closable() {
            return out.atYield || closerElsewhere();
        }

        @Override
        protected void closeNow() {
            if (closerElsewhere()) Coro.gatherSettled(List.of(closer));
            if (out.atYield) out.close();
        }

        @Override
        protected void releaseIfLeft() {
            if (!open || !out.atYield) return;
            open = false;   // the Cleaner, later, has nothing left to do
            out.frame.abandon();
        }

        @Override
        public String toString() {
            return out.toString();
        }
    }

    /**
     * The body's side: one value at a time, the PEP 789 check at each yield; and what runs the body,
     * which never refers to the public handle (see register).
     */
    private static final class Out<T> implements Generator.Yielder<T> {
        private final Generator.Body<T> body;
        Frame<Void, Void> frame;
        Scope base;
        /* Set when the body runs in a feeder task (buffer, merge, ...): each yield sends its value here. */
        SendChannel<? super T> sink;
        boolean consumerGone;   // a send at a yield found the consumer's side closed: nobody wants more values
        T value;
        boolean full;
        boolean atYield;   // the body waits at a yield: no task is inside it
        Registration registration;   // while registered with the loop it first ran on

        Out(Generator.Body<T> body) {
            this.body = body;
        }

        Void run() throws Exception {
            body.run(this);
            return null;
        }

        /* Driver side: runs the body to its next yield or end (closing: unwinds it). */
        void drive(boolean closing) {
            base = currentScope();
            if (closing) frame.close();
            else frame.send(null);
        }

        /* AsyncGenerator.close, once its checks have passed. */
        void close() {
            value = null;
            full = false;
            try {
                drive(true);
            } finally {
                if (frame.isDone()) unregister();
            }
        }

        void unregister() {
            if (registration == null) return;
            registration.open = false;
            registration.remove();
            registration.cleanable.clean();   // the Cleaner holds the body, which may reach this handle
            registration = null;
        }

        @Override
        public void yield(T v) {
            if (sink != null) {
                send(v);
                return;
            }
            Scope now = currentScope();
            if (now != base) {
                throw new IllegalStateException(frame.name() + ": yield inside " + now.owner() + ", a cancel scope "
                        + "(withTimeout, TaskGroup or CancelScope) opened in the generator's body and still open. "
                        + "The consumer would run inside it between yields (PEP 789). Close the scope before yielding, "
                        + "or use gen.buffer(n), which runs the body in its own task where scopes may span yields.");
            }
            value = v;
            full = true;
            atYield = true;
            try {
                frame.suspendOnly();
            } finally {
                atYield = false;
            }
        }

        /*
         * The send is made at the yield, inside the body and its scopes, which may span yields here: a
         * deadline of the body that passes while the value waits for room cancels the send where the
         * body's own withTimeout sees it. Only the sink's own BrokenChannelException means that the
         * consumer is gone (one the body throws is its failure): the body is then closed at this
         * yield, as close() closes an unbuffered one.
         */
        private void send(T v) {
            try {
                sink.send(v);
            } catch (BrokenChannelException e) {
                consumerGone = true;
                throw new GeneratorExit();
            }
        }

        @Override
        public String toString() {
            return frame.name() + "[" + frame.state() + "]";
        }
    }
}
