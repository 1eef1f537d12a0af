package dev.coro.lowlevel;

import dev.coro.EventLoop;
import dev.coro.internal.Sneaky;
import dev.coro.trace.WaitKind;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.WeakHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Lock;

/**
 * One operation that {@code dev.coro.channel.Select} can wait for: a receive, a send, a task's end,
 * a timeout, or the default. Made by {@code rx.onReceive(fn)}, {@code tx.onSend(x, fn)},
 * {@code task.onJoin(fn)}, {@code Select.onTimeout} and {@code Select.onDefault}; its public
 * methods are the protocol between a clause and the select engine ({@link #select}), for whoever
 * writes a new kind of clause.
 *
 * <p>Invariant: of the clauses of one select, exactly one completes; every other one is taken out
 * of whatever it registered with before {@code select} returns or throws.
 *
 * @param <R> what the clause's callback returns, and so what {@code select} returns if it wins
 */
/* Implementation notes:
 *
 * The engine is Go's select (runtime/select.go) on top of Waiter:
 *   1. lock the clauses' locks so that no clause can become ready unseen between the two next steps:
 *      each in turn as step 2 reaches its clause, the first one waiting if busy and every later one
 *      only if free (tryLock: with a lock held, waiting could close a cycle); at a busy later lock,
 *      let go of them all and take every lock at once in lockOrder() order (each channel once: the
 *      locks are reentrant);
 *   2. try each clause in order (argument order, or shuffled for selectUnbiased); the first that
 *      is ready wins, and the clauses after it are neither locked nor touched; else the default
 *      clause if there is one;
 *   3. else register one Waiter with every clause, unlock, and park: the first waker to claim the
 *      waiter (an atomic transition) picks the winner, every other waker skips it;
 *   4. after the wake-up, unregister the losers, each under its own lock.
 * Taking the locks in turn is what makes a clause ready at once cheap: it costs that clause's lock
 * and nothing else (no sort, no waiter, no registration). It decides as the all-at-once way would:
 * when a clause is found ready, every clause before it is locked and was not.
 * A clause's callback runs after the locks are released, in the selecting task, so it may suspend.
 */
public abstract class SelectClause<R> {
    /** What {@link #tryNow()} returns when the operation cannot complete at once. */
    public static final Object NOT_READY = new Object();

    private static final Map<EventLoop, Random> SEEDED = new WeakHashMap<>();
    private static final Comparator<SelectClause<?>> BY_LOCK_ORDER = Comparator.comparingLong(SelectClause::lockOrder);

    /**
     * A function of the operation's result that may throw: the callback of a clause.
     *
     * @param <V> the type of the operation's result (the received item, the joined task's value)
     * @param <R> what the callback returns, and so what {@code select} returns
     */
    @FunctionalInterface
    public interface Callback<V, R> {
        /**
         * Runs in the selecting task after the operation completed with {@code value}; it may suspend.
         *
         * @param value the operation's result
         * @return what {@code select} returns
         * @throws Exception any failure; {@code select} throws it as is
         */
        R apply(V value) throws Exception;
    }

    /** For subclasses. */
    protected SelectClause() {}

    /**
     * The lock that guards this clause's resource (the same one on every call), or null if it needs none.
     *
     * @return the lock the engine holds around {@link #tryNow()} and {@link #register}; null by default
     */
    public Lock lock() {
        return null;
    }

    /**
     * Where {@link #lock()} comes in the global lock order: unique per lock.
     *
     * @return the rank of the lock; when the engine must wait for several clauses' locks, it takes
     *     them in ascending rank
     */
    public long lockOrder() {
        return 0;
    }

    /**
     * Whether this is the clause that wins when nothing else is ready ({@code Select.onDefault}).
     *
     * @return {@code true} only for the default clause; false by default
     */
    public boolean isDefault() {
        return false;
    }

    /**
     * What kind of wait this clause is, for traces, task dumps and monitors. A select that waits
     * parks with the kind of its first clause (in argument order) whose kind is not
     * {@link WaitKind#SLEEP}: a receive with a timeout is a read; a select of timeouts only sleeps.
     * Its reason is the list of its clauses, each by its {@code toString()}, which should name what
     * the clause waits on.
     *
     * @return the kind of this clause's wait; {@link WaitKind#PARK} by default
     */
    public WaitKind waitKind() {
        return WaitKind.PARK;
    }

    /**
     * Whether a waker may run on another thread or loop, so that a wait holds the virtual clock.
     *
     * @return {@code true} if the select must hold its loop's virtual clock while it waits; false by default
     */
    public boolean isShared() {
        return false;
    }

    /**
     * With the lock held: completes the operation at once and returns its result, or {@link #NOT_READY}.
     *
     * @return the result handed to {@link #complete} if the operation completed; {@link #NOT_READY}
     *         if it would have to wait, and then nothing changed
     */
    public abstract Object tryNow();

    /**
     * With the lock held: registers {@code waiter}, which a waker claims with
     * {@code waiter.claim(index, result)}. Returns what {@link #unregister} needs.
     *
     * @param waiter the selecting party's one waiter, shared by all clauses of the select
     * @param index this clause's position in the select, to pass to {@link Waiter#claim}
     * @return the registration, later given to {@link #unregister} and {@link #keepsOnCancel}
     */
    public abstract Object register(Waiter waiter, int index);

    /**
     * Without the lock held: takes the registration out, if it is still there.
     *
     * @param registration what {@link #register} returned
     */
    public abstract void unregister(Object registration);

    /**
     * The clause won with {@code result}, but the selecting task was cancelled before it ran: undo
     * the operation if it can be undone (a received item goes back) and return false, or return
     * true if it took effect (a delivered send), so that its callback runs.
     *
     * @param registration what {@link #register} returned
     * @param result what the waker passed to {@link Waiter#claim}
     * @return {@code true} if the operation stands and the callback must run; false if it was undone
     */
    public boolean keepsOnCancel(Object registration, Object result) {
        return false;
    }

    /**
     * In the selecting task, after the clause won with {@code result}: runs the callback.
     *
     * @param result what {@link #tryNow()} returned, or what the waker passed to {@link Waiter#claim}
     * @return the callback's value, which {@code select} returns
     * @throws Exception what the callback threw, or the operation's own failure (a channel that ended)
     */
    public abstract R complete(Object result) throws Exception;

    // ---------------------------------------------------------------- the engine

    /**
     * Waits until one of {@code clauses} can complete, completes exactly that one and returns what
     * its callback returned. See {@code dev.coro.channel.Select} for the rules.
     *
     * @param what the public method, for error messages
     * @param unbiased pick among ready clauses at random (seeded from the loop's scheduling seed)
     *     rather than in argument order
     * @param clauses the clauses, at least one, at most one default
     * @param <R> what the winning clause's callback returns
     * @return the winning clause's callback value
     */
    public static <R> R select(String what, boolean unbiased, SelectClause<? extends R>[] clauses) {
        Objects.requireNonNull(what, "SelectClause.select: what is null (expected: the public method that selects, for"
                + " its error messages, such as \"Select.select\")");
        check(what, clauses);
        Waiter.raiseIfCancelled();
        Round round = new Round(clauses, unbiased ? shuffled(clauses.length) : null);
        Waiter waiter = round.tryOrRegister(what);
        if (waiter != null) round.await(waiter);
        try {
            return clauses[round.winner].complete(round.result);
        } catch (Exception e) {
            throw Sneaky.<RuntimeException>rethrow(e);
        }
    }

    /* One call of select: the order in which it tries the clauses, the locks it holds, the winner. */
    private static final class Round implements Runnable {
        private final SelectClause<?>[] clauses;
        private final int[] order;               // the order of trying; null for argument order
        private SelectClause<?>[] byLockOrder;   // the locked clauses when a busy lock made it take them all at once
        private int tried;                       // else: the clauses at order[0, tried) hold their locks
        private int fallback = -1;               // the default clause, if one was passed over
        private Object[] registrations;
        private boolean shared;
        int winner = -1;
        Object result;

        Round(SelectClause<?>[] clauses, int[] order) {
            this.clauses = clauses;
            this.order = order;
        }

        /* Steps 1-3: the winner is set, or the returned waiter is registered with every clause. */
        Waiter tryOrRegister(String what) {
            try {
                if (!tryInTurn()) {
                    byLockOrder = lockAll(clauses);
                    for (int k = 0; k < clauses.length && !tryAt(k); k++) {
                        // tryAt sets the winner
                    }
                }
                if (winner < 0) winner = fallback;
                if (winner >= 0) return null;
                Waiter waiter = Waiter.forCaller(what);
                register(waiter);
                return waiter;
            } finally {
                unlock();
            }
        }

        /*
         * Locks and tries each clause in turn, holding the locks of those tried. After the first lock
         * it takes only free ones (tryLock), so that no cycle can form whatever the argument order;
         * at a busy one it lets go of every lock and returns false.
         */
        private boolean tryInTurn() {
            boolean holding = false;
            for (int k = 0; k < clauses.length; k++) {
                Lock lock = clauses[at(k)].lock();
                if (lock != null && !lock.tryLock()) {
                    if (holding) {
                        unlock();
                        return false;
                    }
                    lock.lock();
                }
                holding |= lock != null;
                tried = k + 1;
                if (tryAt(k)) return true;
            }
            return true;
        }

        /* With its lock held: true if the clause at position k of the order completed at once. */
        private boolean tryAt(int k) {
            int i = at(k);
            if (clauses[i].isDefault()) {
                fallback = i;
                return false;
            }
            Object r = clauses[i].tryNow();
            if (r == NOT_READY) return false;
            winner = i;
            result = r;
            return true;
        }

        private int at(int k) {
            return order == null ? k : order[k];
        }

        private void register(Waiter waiter) {
            registrations = new Object[clauses.length];
            try {
                for (int i = 0; i < clauses.length; i++) {
                    registrations[i] = clauses[i].register(waiter, i);
                    shared |= clauses[i].isShared();
                }
            } catch (RuntimeException | Error e) {
                unregister(-1);
                throw e;
            }
        }

        private void unlock() {
            if (byLockOrder != null) {
                for (int i = byLockOrder.length - 1; i >= 0; i--) byLockOrder[i].lock().unlock();
                byLockOrder = null;
            }
            for (int k = tried - 1; k >= 0; k--) {
                Lock lock = clauses[at(k)].lock();
                if (lock != null) lock.unlock();
            }
            tried = 0;
        }

        /* Step 4: parks until a waker claims the waiter, then takes the losers out. */
        void await(Waiter waiter) {
            waiter.await(waitKind(), this, shared, this);
            winner = waiter.index();
            result = waiter.value();
            unregister(winner);
            if (Waiter.isCancelled() && !clauses[winner].keepsOnCancel(registrations[winner], result)) {
                Waiter.raiseIfCancelled();
            }
        }

        /* The kind of the first clause that waits for more than time (see SelectClause.waitKind). */
        private WaitKind waitKind() {
            for (SelectClause<?> c : clauses) {
                if (c.waitKind() != WaitKind.SLEEP) return c.waitKind();
            }
            return WaitKind.SLEEP;
        }

        /* The wait's reason in task dumps and traces: what each clause waits on. */
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("select(");
            for (int i = 0; i < clauses.length; i++) b.append(i == 0 ? "" : ", ").append(clauses[i]);
            return b.append(')').toString();
        }

        /* The waiter's onCancel: the task was cancelled (the thread interrupted) before any claim. */
        @Override
        public void run() {
            unregister(-1);
        }

        private void unregister(int winner) {
            for (int i = 0; i < clauses.length; i++) {
                if (i != winner && registrations[i] != null) clauses[i].unregister(registrations[i]);
            }
        }
    }

    private static void check(String what, SelectClause<?>[] clauses) {
        if (clauses == null) {
            throw new NullPointerException(what + ": clauses is null (expected: the clauses to wait for, such as "
                    + what + "(rx.onReceive(v -> v), Select.onTimeout(Duration.ofSeconds(1), () -> null)))");
        }
        if (clauses.length == 0) {
            throw new IllegalArgumentException(what + ": clauses is empty (expected: at least one clause, such as "
                    + what + "(rx.onReceive(v -> v), Select.onTimeout(Duration.ofSeconds(1), () -> null)))");
        }
        int defaults = 0;
        for (int i = 0; i < clauses.length; i++) {
            if (clauses[i] == null) {
                throw new NullPointerException(what + ": clauses[" + i + "] is null (expected: a clause such as"
                        + " rx.onReceive(fn))");
            }
            if (clauses[i].isDefault()) defaults++;
        }
        if (defaults > 1) {
            throw new IllegalArgumentException(what + ": clauses has " + defaults + " onDefault clauses (expected: at most"
                    + " one, which runs if no other clause is ready at once; keep one)");
        }
    }

    /* Every clause's lock, in lock order: the way to wait for a busy lock without risking a cycle. */
    private static SelectClause<?>[] lockAll(SelectClause<?>[] clauses) {
        int k = 0;
        for (SelectClause<?> c : clauses) if (c.lock() != null) k++;
        SelectClause<?>[] locked = new SelectClause<?>[k];
        k = 0;
        for (SelectClause<?> c : clauses) if (c.lock() != null) locked[k++] = c;
        Arrays.sort(locked, BY_LOCK_ORDER);
        for (SelectClause<?> c : locked) c.lock().lock();
        return locked;
    }

    private static int[] shuffled(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Random random = random();
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /* The loop's own seeded sequence when its builder set a scheduling seed, so that a run replays. */
    private static Random random() {
        EventLoop loop = Waiter.callerLoop();
        if (loop == null || loop.schedulingSeed().isEmpty()) return ThreadLocalRandom.current();
        synchronized (SEEDED) {
            return SEEDED.computeIfAbsent(loop, l -> new Random(l.schedulingSeed().getAsLong()));
        }
    }
}
