package io.nexus.testkit.net;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP forwarder in front of a real server, to put network faults between a client and it:
 * <ul>
 *   <li>{@link #cut()}: the server is unreachable. Open connections are closed, new ones refused, until
 *       {@link #restore()} listens again on the same port.</li>
 *   <li>{@link #stallAnswers()}: the server's bytes stop reaching the client, with no connection closed, as in a
 *       network partition that drops packets: requests still arrive and run, their answers never come. A client
 *       without a read timeout waits forever. {@link #resume()} forwards again (what was held is delivered to
 *       connections the client has kept).</li>
 * </ul>
 *
 * <p>Use the proxy's {@link #port()} where the client would use the server's. Thread-safe.
 */
public final class TcpProxy implements AutoCloseable {

    private final String host;
    private final int targetPort;
    private final int port;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private @Nullable ServerSocket server;
    private boolean stalled;

    private TcpProxy(String host, int targetPort) throws IOException {
        this.host = host;
        this.targetPort = targetPort;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            this.port = probe.getLocalPort();
        }
        restore();
    }

    /**
     * A proxy to {@code targetPort} on the loopback address, listening on a free loopback port.
     *
     * @throws IOException if no port can be opened
     */
    public static TcpProxy to(int targetPort) throws IOException {
        return to(InetAddress.getLoopbackAddress().getHostAddress(), targetPort);
    }

    /**
     * A proxy to {@code host:targetPort}, listening on a free loopback port.
     *
     * @throws IOException if no port can be opened
     */
    public static TcpProxy to(String host, int targetPort) throws IOException {
        return new TcpProxy(host, targetPort);
    }

    /** The loopback port to connect to instead of the server's. */
    public int port() {
        return port;
    }

    /** Listens again after {@link #cut()}; nothing when listening. */
    public synchronized void restore() throws IOException {
        if (server != null) {
            return;
        }
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        server = s;
        Thread acceptor = new Thread(() -> accept(s), "tcp-proxy-accept-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Closes every open connection and stops listening, until {@link #restore()}. */
    public synchronized void cut() throws IOException {
        ServerSocket s = server;
        if (s != null) {
            s.close();
            server = null;
        }
        for (Socket socket : open) {
            socket.close();
        }
        open.clear();
    }

    /** Holds every byte the server sends from now on, connections left open, until {@link #resume()}. */
    public void stallAnswers() {
        synchronized (gate) {
            stalled = true;
        }
    }

    /** Forwards the server's bytes again after {@link #stallAnswers()}. */
    public void resume() {
        synchronized (gate) {
            stalled = false;
            gate.notifyAll();
        }
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket client = s.accept();
                Socket upstream = new Socket(host, targetPort);
                open.add(client);
                open.add(upstream);
                pipe(client, upstream, false);
                pipe(upstream, client, true);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pipe(Socket from, Socket to, boolean answers) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (answers) {
                        awaitForwarding();
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException ignored) {
                // the connection was cut, or closed by one side
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, answers ? "tcp-proxy-answers" : "tcp-proxy-requests");
        t.setDaemon(true);
        t.start();
    }

    private void awaitForwarding() throws InterruptedException {
        synchronized (gate) {
            while (stalled) {
                gate.wait();
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /** Cuts every connection, stops listening, and lets held bytes go (to closed connections). */
    @Override
    public void close() throws IOException {
        cut();
        resume();
    }
}
