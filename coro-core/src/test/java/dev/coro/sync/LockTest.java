package dev.coro.sync;

import static dev.coro.sync.Loops.cancelMe;
import static dev.coro.sync.Loops.settle;
import static dev.coro.sync.Loops.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coro.CancelledError;
import dev.coro.Coro;
import dev.coro.Task;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LockTest {
    private final List<String> log = new ArrayList<>();
    private final Lock lock = new Lock();

    @Test
    void freeLockIsTakenWithoutSuspending() {
        Loops.run(() -> {
            Task<Void> other = spawn(log, "other", () -> log.add("other ran"));
            lock.acquire();
            log.add("acquired");
            assertThat(lock.isLocked()).isTrue();
            lock.release();
            other.join();
        });
        assertThat(log).containsExactly("acquired", "other ran");
    }

    @Test
    void cancelledTaskGetsCancelledErrorOnTheFastPath() {
        Loops.run(() -> {
            Task<Void> t = spawn(log, "t", () -> {
                cancelMe();
                lock.acquire();
                log.add("acquired");
            });
            Coro.gatherSettled(t);
            assertThat(lock.isLocked()).isFalse();
        });
        assertThat(log).containsExactly("t cancelled");
    }

    @Test
    void waitersAreServedInOrder() {
        Loops.run(() -> {
            lock.acquire();
            List<Task<Void>> ts = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                ts.add(spawn(log, name, () -> lock.withLock(() -> {
                    log.add(name + " holds");
                    Coro.yieldNow();
                })));
            }
            settle();
            assertThat(lock.statistics()).isEqualTo(new Lock.Statistics(Coro.currentTask(), 3));
            lock.release();
            Coro.gather(ts);
        });
        assertThat(log).containsExactly("a holds", "b holds", "c holds");
    }

    @Test
    void holderThatReleasesAndReacquiresQueuesBehindTheWaiter() {
        Loops.run(() -> {
            lock.acquire();
            Task<Void> waiter = spawn(log, "waiter", () -> lock.withLock(() -> log.add("waiter holds")));
            settle();
            lock.release();
            lock.acquire();
            log.add("holder holds again");
            lock.release();
            waiter.join();
        });
        assertThat(log).containsExactly("waiter holds", "holder holds again");
    }

    @Test
    void waiterHandedTheLockButCancelledPassesItOn() {
        Loops.run(() -> {
            lock.acquire();
            Task<Void> b = spawn(log, "b", () -> lock.withLock(() -> log.add("b holds")));
            Task<Void> c = spawn(log, "c", () -> lock.withLock(() -> log.add("c holds")));
            settle();
            lock.release();
            assertThat(lock.statistics().owner()).isSameAs(b);
            b.cancel();
            Coro.gatherSettled(b, c);
            assertThat(lock.isLocked()).isFalse();
        });
        assertThat(log).containsExactly("b cancelled", "c holds");
    }

    @Test
    void cancelledWaiterLeavesTheQueue() {
        Loops.run(() -> {
            lock.acquire();
            Task<Void> b = spawn(log, "b", () -> lock.withLock(() -> log.add("b holds")));
            settle();
            b.cancel();
            settle();
            assertThat(lock.statistics().waiters()).isZero();
            lock.release();
            assertThat(lock.isLocked()).isFalse();
            Coro.gatherSettled(b);
        });
        assertThat(log).containsExactly("b cancelled");
    }

    @Test
    void isNotReentrant() {
        Loops.run(() -> {
            lock.acquire();
            assertThatThrownBy(lock::acquire).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Lock.acquire(): Task[name=main, state=RUNNING] already holds Lock@")
                    .hasMessageContaining("locked by main")
                    .hasMessageEndingWith(", and a Lock is not reentrant: it would wait for itself. Acquire it once"
                            + " around the whole section, and let the code it calls run without acquiring it again.");
            assertThatThrownBy(lock::tryAcquire).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Lock.tryAcquire(): ").hasMessageContaining("not reentrant");
            lock.release();
        });
    }

    @Test
    void onlyTheOwnerMayRelease() {
        Loops.run(() -> {
            assertThatThrownBy(lock::release).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Lock.release(): Task[name=main, state=RUNNING] cannot release Lock@")
                    .hasMessageContaining("unlocked")
                    .hasMessageEndingWith(": it does not hold it. Only the task that acquired a lock may release it;"
                            + " withLock(body) pairs them.");
            Task<Void> owner = Coro.spawn("owner", () -> {
                lock.acquire();
                Coro.sleep(java.time.Duration.ofSeconds(1));
                lock.release();
            });
            settle();
            assertThatThrownBy(lock::release).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("locked by owner");
            owner.join();
        });
    }

    @Test
    void tryAcquireNeverWaits() {
        Loops.run(() -> {
            Task<Boolean> other = Coro.spawn(() -> lock.tryAcquire());
            assertThat(lock.tryAcquire()).isTrue();
            assertThat(other.join()).isFalse();
            lock.release();
        });
    }

    @Test
    void withLockReleasesWhenTheBodyThrowsAndLetsCheckedExceptionsThrough() {
        Loops.run(() -> {
            IOException failure = new IOException("disk");
            assertThatThrownBy(() -> lock.withLock(() -> {
                throw failure;
            })).isSameAs(failure);
            assertThat(lock.isLocked()).isFalse();
            assertThat(lock.withLock(() -> 42)).isEqualTo(42);
            assertThat(lock.isLocked()).isFalse();
        });
    }

    @Test
    void cancelledWhileWaitingRaisesWithoutTheLock() {
        Loops.run(() -> {
            lock.acquire();
            Task<Boolean> t = Coro.spawn(() -> {
                try {
                    lock.acquire();
                    return true;
                } catch (CancelledError e) {
                    log.add("raised, holder: " + lock.statistics().owner().name());
                    throw e;
                }
            });
            settle();
            t.cancel();
            Coro.gatherSettled(t);
            lock.release();
        });
        assertThat(log).containsExactly("raised, holder: main");
    }

    @Test
    void toStringSaysTheState() {
        Loops.run(() -> {
            assertThat(lock.toString()).startsWith("Lock@").endsWith("[unlocked, waiters=0]");
            lock.acquire();
            assertThat(lock.toString()).endsWith("[locked by main, waiters=0]");
            lock.release();
        });
    }

    // A task that ends holding the lock breaks it (Trio's BrokenResourceError); each test fails on a lock
    // that stays held by the ended task, where the waiters would wait forever.

    @Test
    void ownerEndingWithTheLockFailsItsWaitersInsteadOfLeavingThemWaiting() {
        Loops.run(() -> {
            Task<Void> careless = Coro.spawn("careless", () -> {
                lock.acquire();
                Coro.yieldNow();   // the waiters park behind it, then it ends without releasing
            });
            List<Task<Void>> waiters = new ArrayList<>();
            for (String name : List.of("a", "b")) {
                waiters.add(Coro.spawn(name, () -> {
                    try {
                        lock.acquire();
                        log.add(name + " acquired");
                    } catch (LockBrokenException e) {
                        log.add(name + ": " + e.getMessage());
                        throw e;
                    }
                }));
            }
            careless.join();
            Coro.gatherSettled(waiters);
            assertThat(waiters.get(0).exception()).isNotSameAs(waiters.get(1).exception());
            assertThat(waiters.get(0).exception().getStackTrace())
                    .anyMatch(f -> f.getMethodName().startsWith("lambda$ownerEnding"));
            assertThat(lock.isLocked()).isTrue();
            assertThat(lock.statistics()).isEqualTo(new Lock.Statistics(careless, 0));
            assertThat(lock.toString()).endsWith("[broken: careless ended holding it, waiters=0]");
        });
        assertThat(log).hasSize(2).allSatisfy(line -> assertThat(line).containsPattern(
                "^[ab]: Lock.acquire\\(\\): Lock@\\p{XDigit}+ is broken: Task\\[name=careless.*\\] ended holding it"
                + ".*Release a lock in a finally block, or hold it with withLock\\(body\\)"));
    }

    @Test
    void aBrokenLockRefusesEveryLaterCallAtOnce() {
        Loops.run(() -> {
            Coro.spawn("careless", lock::acquire).join();
            long before = Coro.loop().time();
            assertThatThrownBy(lock::acquire).isInstanceOf(LockBrokenException.class)
                    .hasMessageStartingWith("Lock.acquire(): ").hasMessageContaining("careless");
            assertThatThrownBy(lock::tryAcquire).isInstanceOf(LockBrokenException.class)
                    .hasMessageStartingWith("Lock.tryAcquire(): ");
            assertThatThrownBy(lock::release).isInstanceOf(LockBrokenException.class)
                    .hasMessageStartingWith("Lock.release(): ");
            assertThatThrownBy(() -> lock.withLock(() -> log.add("ran"))).isInstanceOf(LockBrokenException.class);
            assertThat(Coro.loop().time()).isEqualTo(before);
        });
        assertThat(log).isEmpty();
    }

    @Test
    void waiterHandedTheLockThatEndsHoldingItFailsTheWaitersBehindIt() {
        Loops.run(() -> {
            lock.acquire();
            Task<Void> first = spawn(log, "first", () -> {
                lock.acquire();
                log.add("first acquired");
            });
            Task<Void> second = spawn(log, "second", () -> {
                lock.acquire();
                log.add("second acquired");
            });
            settle();
            lock.release();   // handed to first while second still waits behind it
            first.join();
            Coro.gatherSettled(second);
            assertThat(second.exception()).isInstanceOf(LockBrokenException.class).hasMessageContaining("first");
        });
        assertThat(log).containsExactly("first acquired");
    }

    @Test
    void ownerThatReleasesBeforeItEndsBreaksNothing() {
        Loops.run(() -> {
            Task<Void> polite = Coro.spawn("polite", () -> {
                lock.acquire();
                Coro.yieldNow();   // a waiter parks behind it: the lock watches its end
                lock.release();
            });
            Task<Void> waiter = spawn(log, "waiter", () -> lock.withLock(() -> {
                log.add("waiter holds");
                Coro.yieldNow();   // polite ends while the waiter holds the lock
            }));
            Coro.gather(polite, waiter);
            lock.withLock(() -> log.add("main holds"));
            assertThat(lock.isLocked()).isFalse();
        });
        assertThat(log).containsExactly("waiter holds", "main holds");
    }

    @Test
    void conditionWaiterWhoseLockBreaksGetsTheBrokenLockNotAWrongOwnerError() {
        Condition ready = new Condition(lock);
        Loops.run(() -> {
            Task<Void> waiter = Coro.spawn("waiter", () -> lock.withLock(ready::await));
            settle();
            Coro.spawn("careless", () -> {
                lock.acquire();
                ready.signal();
            }).join();
            Coro.gatherSettled(waiter);
            // The re-acquire's failure, not withLock's release after it, which rides on it as suppressed.
            assertThat(waiter.exception()).isInstanceOf(LockBrokenException.class).hasMessageContaining("careless")
                    .hasMessageStartingWith("Lock.acquire(): ");
            assertThat(waiter.exception().getSuppressed()).singleElement().isInstanceOf(LockBrokenException.class)
                    .extracting(Throwable::getMessage).asString().startsWith("Lock.release(): ");
        });
    }

    /* The current task holds a new lock while another task waits for it, then releases it; keeps a weak reference. */
    private static WeakReference<Lock> lockReleasedAfterAWait() {
        Lock l = new Lock();
        l.acquire();
        Task<Void> waiter = Coro.spawn(() -> l.withLock(() -> {}));
        settle();   // the waiter parks: the lock watches its owner's end
        l.release();
        waiter.join();
        return new WeakReference<>(l);
    }

    @Test
    void aLongLivedTaskDoesNotHoldOnToTheLocksItReleased() {
        // A broadcaster lives as long as the server and takes each client's lock, which the client's own
        // task contends for: a lock it released must be free to go with its client, or the broadcaster
        // keeps every lock that a task ever waited for while it held it.
        Loops.run(() -> {
            WeakReference<Lock> released = lockReleasedAfterAWait();
            for (int i = 0; i < 20 && released.get() != null; i++) {
                System.gc();
                Coro.yieldNow();
            }
            assertThat(released.get()).as("the released lock, after collections").isNull();
        });
    }
}
