package dev.coro;

import dev.coro.lowlevel.Traps;
import dev.coro.trace.WaitKind;
import java.util.Objects;

/**
 * {@link TaskGroup#start}: a child that tells the task that started it when it is ready (Trio's
 * {@code nursery.start}).
 *
 * <p>Invariant: {@code start} returns exactly once: with the value of the first {@code started},
 * or by throwing because the child ended before it.
 */
/* Implementation notes:
 *
 *   state     WAITING --started(v)-------> STARTED   (start returns v; the child goes on)
 *             WAITING --child failed-----> FAILED    (start throws the failure; the group does not)
 *             WAITING --child returned---> FAILED    (start throws IllegalStateException)
 *             WAITING --caller cancelled-> ABANDONED (the child is cancelled too, as in Trio, where it
 *                                                     runs inside the caller's scope until started)
 * A failure before `started` is caught in the child's own body and handed to `start`, so the child
 * ends normally and the group never sees it; a CancelledError is not caught (the child ends
 * cancelled, which is no failure of the group) and start reports it as a CancellationException.
 */
final class GroupStart<V> implements TaskGroup.Ready<V> {
    private enum State { WAITING, STARTED, FAILED, ABANDONED }

    private final Task<?> caller = Traps.currentTask();
    private State state = State.WAITING;
    private V value;
    private Throwable failure;
    private boolean parked;
    private Task<Void> child;

    static <V> V start(TaskGroup group, String name, TaskGroup.StartBody<V> body) {
        Objects.requireNonNull(body, "TaskGroup.start: body is null (expected: what the child runs, calling"
                + " ready.started(value) once it is ready, such as ready -> serve(ready))");
        GroupStart<V> s = new GroupStart<>();
        s.child = group.spawn(name, () -> s.runChild(body));
        return s.await();
    }

    private Void runChild(TaskGroup.StartBody<V> body) throws Exception {
        try {
            body.run(this);
        } catch (CancelledError e) {
            end(new java.util.concurrent.CancellationException(
                    "TaskGroup.start: Task[name=" + Traps.currentTask().name() + "] was cancelled before it called started"));
            throw e;
        } catch (Throwable e) {
            if (state != State.WAITING) throw e;
            end(e);
            return null;
        }
        end(new IllegalStateException("TaskGroup.start: Task[name=" + Traps.currentTask().name() + "] returned "
                + "without calling ready.started(value). Call it once the child is ready (e.g. once its server is bound)."));
        return null;
    }

    @Override
    public void started(V value) {
        if (state == State.STARTED) {
            throw new IllegalStateException("TaskGroup.Ready.started(" + value + ") called twice: started may be "
                    + "called once, when the child is ready; its first value was " + this.value + ".");
        }
        if (state != State.WAITING) return;
        state = State.STARTED;
        this.value = value;
        wakeCaller();
    }

    private void end(Throwable f) {
        if (state != State.WAITING) return;
        state = State.FAILED;
        failure = f;
        wakeCaller();
    }

    private void wakeCaller() {
        if (parked) {
            parked = false;
            Traps.rescheduleValue(caller, null);
        }
    }

    private V await() {
        if (state == State.WAITING) {
            parked = true;
            Traps.park(() -> {
                parked = false;
                state = State.ABANDONED;
                child.cancel();
                return true;
            }, WaitKind.JOIN, this);
        } else {
            Traps.raiseIfCancelled();
        }
        if (state == State.FAILED) throw Task.rethrow(failure, child);
        return value;
    }

    @Override
    public String toString() {
        return "TaskGroup.Ready[child=" + child.name() + ", " + state + "]";
    }
}
