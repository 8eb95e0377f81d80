package ai.kull.sync.loadgen;

import ai.kull.sync.kafka.local.LocalKafkaBroker;
import ai.kull.sync.process.FreePorts;
import ai.kull.sync.process.ManagedProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark's peer as it runs there: the real Socket.IO server (node loadgen/peer/socketio/server.js, its
 * dependencies from the module's npm ci) fed by kafkajs from a real broker, driven by the loadgen's Socket.IO
 * sessions: every event the loadgen publishes reaches every session of its user once, and a token signed with
 * another secret is refused.
 */
class SocketIoPeerTest {

    private static final String SECRET = "peer-test-secret-peer-test-secret-0123";
    private static final Path PEER = Path.of("peer/socketio");

    @TempDir
    static Path logs;
    private static LocalKafkaBroker broker;
    private static ManagedProcess peer;
    private static int port;

    @BeforeAll
    static void startBrokerAndPeer() throws Exception {
        assertThat(PEER.resolve("node_modules/socket.io")).as("npm ci in loadgen/peer/socketio (the module's build "
                + "runs it unless -Dexec.skip=true)").isDirectory();
        broker = LocalKafkaBroker.startEphemeral();
        port = FreePorts.take();
        peer = ManagedProcess.builder("peer-socketio", logs.resolve("peer.log"),
                        List.of("node", PEER.resolve("server.js").toString()))
                .env(Map.of("PORT", "" + port, "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                        "PEER_JWT_SECRET", SECRET, "PEER_VARIANT", "tuned"))
                .start();
        peer.awaitLogLine("PEER_SOCKETIO_READY", Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() {
        if (peer != null) {
            peer.stop(Duration.ofSeconds(10));
            System.out.println(peer.tail(20));
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void everyPublishedEventReachesEverySessionOfItsUserOnce() throws Exception {
        Map<String, Object> report = new LoadRun(new Flags(new String[] {"--protocol", "socketio",
                "--gateways", "ws://localhost:" + port, "--users", "10", "--devices-per-user", "2", "--rate", "100",
                "--duration", "3s", "--bootstrap", broker.bootstrapServers(), "--jwt-secret", SECRET,
                "--user-prefix", "peer-test-"})).run();

        System.out.println(report);
        assertThat(report).containsEntry("protocol", "socketio");
        @SuppressWarnings("unchecked")
        Map<String, Object> connect = (Map<String, Object>) report.get("connect");
        assertThat(connect).containsEntry("opened", 20).containsEntry("complete", true);
        long published = (long) report.get("published");
        assertThat(published).isPositive();
        assertThat(report).containsEntry("delivered", 2 * published).containsEntry("lost", 0L)
                .containsEntry("duplicated", 0L).containsEntry("misrouted", 0L).containsEntry("reconnects", 0L);
    }

    @Test
    void aTokenSignedWithAnotherSecretIsRefused() throws Exception {
        Map<String, Object> report = new LoadRun(new Flags(new String[] {"--protocol", "socketio",
                "--gateways", "ws://localhost:" + port, "--users", "3", "--devices-per-user", "1", "--rate", "0",
                "--duration", "0s", "--connect-timeout", "10s", "--jwt-secret", "not-the-peers-secret-0123456789",
                "--user-prefix", "peer-intruder-"})).run();

        @SuppressWarnings("unchecked")
        Map<String, Object> connect = (Map<String, Object>) report.get("connect");
        assertThat(connect).containsEntry("opened", 0).containsEntry("failures", Map.of("connect_error", 3L));
    }
}
