package dev.coro.examples;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import dev.coro.EventLoopMXBean;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The coro loops of another running JVM, reached as {@code jcmd} reaches it: the JDK's attach API
 * starts the target's local JMX agent, and each loop's {@link EventLoopMXBean} is read through it.
 *
 * <p>Invariant: the JMX connection is open from {@link #attach} until {@link #close}.
 */
final class AttachedJvm implements AutoCloseable {
    private static final String LOOPS = "dev.coro:type=EventLoop,*";

    private final JMXConnector connector;
    private final MBeanServerConnection server;

    private AttachedJvm(JMXConnector connector) throws IOException {
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
    }

    /**
     * Attaches to process {@code pid}, starts its local JMX agent if it has none, and connects.
     *
     * @throws IOException naming the process and the usual causes if it cannot be reached
     */
    static AttachedJvm attach(long pid) throws IOException {
        String address;
        try {
            VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
        } catch (AttachNotSupportedException | IOException e) {
            throw new IOException("Cannot attach to process " + pid + ": " + e.getMessage()
                    + ". It must be a running JVM (JDK 9+) of the same user, not started with -XX:+DisableAttachMechanism.", e);
        }
        return new AttachedJvm(JMXConnectorFactory.connect(new JMXServiceURL(address)));
    }

    /** The process's registered loops, by name. */
    List<EventLoopMXBean> loops() throws IOException {
        List<EventLoopMXBean> out = new ArrayList<>();
        for (ObjectName name : server.queryNames(loopsPattern(), null)) {
            out.add(JMX.newMXBeanProxy(server, name, EventLoopMXBean.class));
        }
        out.sort(Comparator.comparing(EventLoopMXBean::getName));
        return out;
    }

    private static ObjectName loopsPattern() {
        try {
            return new ObjectName(LOOPS);
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException("coro bug: bad JMX pattern " + LOOPS, e);
        }
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
