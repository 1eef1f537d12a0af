package dev.coro.bench;

import kotlin.ResultKt;
import kotlin.Unit;
import kotlin.coroutines.Continuation;
import kotlin.coroutines.CoroutineContext;
import kotlin.coroutines.EmptyCoroutineContext;
import kotlin.coroutines.intrinsics.IntrinsicsKt;
import kotlinx.coroutines.BuildersKt;
import kotlinx.coroutines.CoroutineStart;
import kotlinx.coroutines.channels.Channel;
import kotlinx.coroutines.selects.SelectKt;

/**
 * The kotlinx.coroutines side of {@link ChannelBenchmark}: one coroutine sends ints to another through
 * a channel on {@code runBlocking}'s one thread, written in Java.
 */
/* Each coroutine is written as the state machine kotlinc makes of a suspend loop: a Continuation
 * whose loop calls the suspend function with itself and returns when told COROUTINE_SUSPENDED;
 * resumeWith carries the loop on. The items are boxed Integers, as in Kotlin's generic Channel<Int>
 * (and as in coro's and jox's channels). */
final class KotlinxChannelPeers {
    private static final Object SUSPENDED = IntrinsicsKt.getCOROUTINE_SUSPENDED();

    private KotlinxChannelPeers() {}

    /**
     * Sends 0..n-1 through {@code ch}; returns the sum the receiver saw. With {@code idle} not null the
     * receiver takes each item with a two-clause select over {@code ch} and {@code idle}.
     */
    static long pass(Channel<Integer> ch, Channel<Integer> idle, int n) throws InterruptedException {
        Receiver receiver = new Receiver(ch, idle, n);
        BuildersKt.runBlocking(EmptyCoroutineContext.INSTANCE, (scope, done) -> {
            BuildersKt.launch(scope, EmptyCoroutineContext.INSTANCE, CoroutineStart.DEFAULT,
                    (child, sent) -> new Sender(ch, n, sent).loop());
            return receiver.start(done);
        });
        return receiver.sum;
    }

    private static final class Sender implements Continuation<Object> {
        private final Channel<Integer> ch;
        private final int n;
        private final Continuation<? super Unit> done;
        private int i;

        Sender(Channel<Integer> ch, int n, Continuation<? super Unit> done) {
            this.ch = ch;
            this.n = n;
            this.done = done;
        }

        Object loop() {
            while (i < n) {
                if (ch.send(i++, this) == SUSPENDED) return SUSPENDED;
            }
            return Unit.INSTANCE;
        }

        @Override
        public CoroutineContext getContext() {
            return done.getContext();
        }

        @Override
        public void resumeWith(Object result) {
            ResultKt.throwOnFailure(result);
            if (loop() != SUSPENDED) done.resumeWith(Unit.INSTANCE);
        }
    }

    private static final class Receiver implements Continuation<Object> {
        private final Channel<Integer> ch;
        private final Channel<Integer> idle;
        private final int n;
        private Continuation<? super Unit> done;
        private int i;
        long sum;

        Receiver(Channel<Integer> ch, Channel<Integer> idle, int n) {
            this.ch = ch;
            this.idle = idle;
            this.n = n;
        }

        Object start(Continuation<? super Unit> done) {
            this.done = done;
            return loop();
        }

        private Object loop() {
            while (i < n) {
                Object r = idle == null ? ch.receive(this) : select();
                if (r == SUSPENDED) return SUSPENDED;
                took(r);
            }
            return Unit.INSTANCE;
        }

        private Object select() {
            return SelectKt.<Integer>select(b -> {
                b.invoke(ch.getOnReceive(), (x, c) -> x);
                b.invoke(idle.getOnReceive(), (x, c) -> x);
                return Unit.INSTANCE;
            }, this);
        }

        private void took(Object item) {
            sum += (Integer) item;
            i++;
        }

        @Override
        public CoroutineContext getContext() {
            return done.getContext();
        }

        @Override
        public void resumeWith(Object result) {
            ResultKt.throwOnFailure(result);
            took(result);
            if (loop() != SUSPENDED) done.resumeWith(Unit.INSTANCE);
        }
    }
}
