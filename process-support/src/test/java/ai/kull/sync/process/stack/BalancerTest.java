package ai.kull.sync.process.stack;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Like a Kubernetes Service: round robin over the pods in rotation, a dead one skipped, a closed pod's connection ends. */
class BalancerTest {

    /** A pod that greets each connection with its name and keeps it until the pod closes. */
    private static final class Pod implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final List<Socket> accepted = new CopyOnWriteArrayList<>();

        Pod(String name) throws IOException {
            Thread thread = new Thread(() -> {
                try {
                    while (true) {
                        Socket socket = server.accept();
                        accepted.add(socket);
                        socket.getOutputStream().write(name.getBytes());
                        socket.getOutputStream().flush();
                    }
                } catch (IOException closed) {
                    // pod gone
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    @Test
    void connectionsGoRoundRobinADeadPodIsSkippedAndAClosedPodEndsItsConnections() throws Exception {
        try (Pod a = new Pod("A"); Pod b = new Pod("B")) {
            List<Integer> rotation = new CopyOnWriteArrayList<>(List.of(a.port(), b.port()));
            try (Balancer balancer = new Balancer(0, () -> rotation)) {
                List<String> greetings = new ArrayList<>();
                List<Socket> clients = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    Socket client = new Socket(InetAddress.getLoopbackAddress(), balancer.port());
                    clients.add(client);
                    greetings.add(new String(client.getInputStream().readNBytes(1)));
                }
                assertThat(greetings).containsExactlyInAnyOrder("A", "B", "A", "B");

                a.close();
                for (int i = 0; i < clients.size(); i++) {
                    if (greetings.get(i).equals("A")) {
                        assertThat(clients.get(i).getInputStream().read()).as("A's connection ends").isEqualTo(-1);
                    }
                }
                for (int i = 0; i < 3; i++) {
                    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), balancer.port())) {
                        assertThat(new String(client.getInputStream().readNBytes(1))).as("only B accepts").isEqualTo("B");
                    }
                }
                rotation.clear();
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), balancer.port())) {
                    assertThat(client.getInputStream().read()).as("no pod in rotation: closed at once").isEqualTo(-1);
                }
                for (Socket client : clients) {
                    client.close();
                }
            }
        }
    }
}
