package ai.kull.sync.process.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A TCP balancer in front of the gateways, as a Kubernetes Service is: each new connection goes to the next pod in
 * rotation that accepts it (round robin, a dead pod skipped), bytes are copied both ways, and when either side
 * closes so does the other. So a device or the console given this one URL moves to another pod when its pod is
 * killed or stopped, as it would in a cluster. Listens on 127.0.0.1 only: it is for the local stack.
 */
final class Balancer implements AutoCloseable {

    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;

    private final ServerSocket server;
    private final Supplier<List<Integer>> inRotation;
    private final AtomicInteger next = new AtomicInteger();

    /** Listens on {@code port} (0: one from the OS); {@code inRotation} gives the ports of the pods taking connections. */
    Balancer(int port, Supplier<List<Integer>> inRotation) throws IOException {
        this.server = new ServerSocket();
        this.server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        this.inRotation = inRotation;
        daemon("balancer-accept", this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                daemon("balancer-connect", () -> forward(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void forward(Socket client) {
        List<Integer> ports = inRotation.get();
        int start = next.getAndIncrement();
        for (int i = 0; i < ports.size(); i++) {
            int port = ports.get(Math.floorMod(start + i, ports.size()));
            Socket upstream = new Socket();
            try {
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), CONNECT_TIMEOUT_MILLIS);
            } catch (IOException deadPod) {
                closeQuietly(upstream);
                continue;
            }
            daemon("balancer-up", () -> copy(client, upstream));
            daemon("balancer-down", () -> copy(upstream, client));
            return;
        }
        closeQuietly(client); // no pod takes connections
    }

    /** Copies until either side ends, then closes both: the other side sees the connection end as it would. */
    private static void copy(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException ended) {
            // closed or reset: end both below
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
