package dev.coro.lowlevel.trial;

import dev.coro.lowlevel.ParkingLot;
import dev.coro.lowlevel.Traps;
import dev.coro.trace.WaitKind;

/**
 * A fair gate written by a user on the public low-level API: {@code admit(n)} hands out n tickets,
 * {@code pass()} takes one, waiting in FIFO order; a waiter handed a ticket and cancelled before
 * it ran passes the ticket on. Invariant: a ticket is either held by the gate or handed to exactly one waiter.
 */
final class TicketGate {
    private static final Object TICKET = new Object();
    private final ParkingLot lot = new ParkingLot();
    private long tickets;

    void pass() {
        lot.checkCaller("TicketGate.pass");
        if (tickets > 0) {   // tickets are kept only while nobody waits
            Traps.raiseIfCancelled();
            tickets--;
            return;
        }
        lot.parkHandOff(WaitKind.LOCK, this, ticket -> give());
    }

    void admit(int n) {
        lot.checkCaller("TicketGate.admit");
        for (int i = 0; i < n; i++) give();
    }

    private void give() {
        if (!lot.unparkOne(TICKET)) tickets++;
    }

    long tickets() {
        return tickets;
    }

    int waiting() {
        return lot.size();
    }
}
