package ai.kull.sync.gateway.replay;

import ai.kull.sync.gateway.GatewayTest;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.OrgSyncEvent;
import ai.kull.sync.events.Topics;
import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import ai.kull.sync.testing.TestDevice;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.stream.LongStream;

import static ai.kull.sync.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Resumes from further back than the replay window holds are served from the Kafka log: every missed event once,
 * in order, then live; only a cursor the log itself cannot answer (retention) gets RESYNC_REQUIRED. The test
 * window holds 256 KiB, so {@link #MISSED} events of about 300 bytes push a user's first events out of it.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerTestResource.class)
class LogReplayTest extends GatewayTest {

    private static final int MISSED = 1_500;

    @Test
    void aDeviceAwayLongerThanTheWindowGetsEveryMissedEventFromTheLogOnceInOrderThenLive() throws Exception {
        String user = unique("deep");
        String other = unique("deep-other");
        String cursor = cursorOfANewDevice(user);
        double passesBefore = metric("sync_gateway_log_replay_passes_total");
        publishWhileAway(user, i -> {
            publisher.publishToUser(other, credit(other, 100_000 + i)); // same partitions, not for this user
            if (i % 100 == 0) {
                publisher.publishToDevice(user, "mac", credit(user, 99_999)); // another device's only
            }
        });
        try (TestDevice phone = resume(user, "phone", cursor)) {
            assertThat(phone.next("CONNECTION_ESTABLISHED")).contains("\"resumed\":true");
            assertThat(phone.balancesUntil(MISSED)).containsExactlyElementsOf(LongStream.rangeClosed(0, MISSED).boxed().toList());
            assertThat(phone.next("PENDING_CHECK_COMPLETE")).contains("\"delivered\":" + (MISSED + 1));
            publishCredit(user, MISSED + 1);
            assertThat(phone.balancesUntil(MISSED + 1)).containsExactly((long) MISSED + 1);
        }
        assertThat(metric("sync_gateway_log_replay_passes_total")).isGreaterThan(passesBefore);
    }

    @Test
    void aCursorBelowTheLogStartGetsResyncRequiredSayingSo() throws Exception {
        String user = unique("retention");
        String cursor = cursorOfANewDevice(user);
        publishWhileAway(user, i -> { });
        deleteRecordsBelowTheEnd(Topics.CREDIT_UPDATES, user); // as retention would
        try (TestDevice phone = resume(user, "phone", cursor)) {
            assertThat(phone.next("CONNECTION_ESTABLISHED")).contains("\"resumed\":true");
            assertThat(phone.next("RESYNC_REQUIRED")).contains("older than the event log's retention");
            publishCredit(user, MISSED + 1);
            assertThat(phone.balancesUntil(MISSED + 1)).containsExactly((long) MISSED + 1);
        }
    }

    /** A log that lost records (unclean leader election, restored broker) or an edited cursor: never silence. */
    @Test
    void aCursorAheadOfTheLogGetsResyncRequiredAndThenEveryLiveEvent() throws Exception {
        String user = unique("ahead");
        String cursor = cursorOfANewDevice(user);
        int tilde = cursor.indexOf('~');
        StringBuilder ahead = new StringBuilder(cursor.substring(0, tilde + 1));
        for (String slot : cursor.substring(tilde + 1).split(",")) {
            String[] parts = slot.split("\\.");
            long offset = Long.parseLong(parts[1], 36) + 1_000_000;
            ahead.append(ahead.length() > tilde + 1 ? "," : "").append(parts[0]).append('.').append(Long.toString(offset, 36));
        }
        try (TestDevice phone = resume(user, "phone", ahead.toString())) {
            assertThat(phone.next("CONNECTION_ESTABLISHED")).contains("\"resumed\":true");
            assertThat(phone.next("RESYNC_REQUIRED")).contains("ahead of the event log");
            publishCredit(user, 1);
            assertThat(phone.balancesUntil(1)).containsExactly(1L);
        }
    }

    @Test
    void getPendingReachesBelowTheWindowToo() throws Exception {
        String user = unique("deep-pending");
        String cursor = cursorOfANewDevice(user);
        publishWhileAway(user, i -> { });
        try (TestDevice phone = device("/ws", user, "phone", List.of())) {
            phone.send("{\"type\":\"GET_PENDING\",\"payload\":{\"cursor\":\"" + cursor + "\"}}");
            assertThat(phone.balancesUntil(MISSED)).containsExactlyElementsOf(LongStream.rangeClosed(0, MISSED).boxed().toList());
            assertThat(phone.next("PENDING_CHECK_COMPLETE")).contains("\"delivered\":" + (MISSED + 1));
        }
    }

    @Test
    void anOrganizationsEventsAreReplayedFromTheLogOnResubscribe() throws Exception {
        String user = unique("deep-org");
        String org = unique("org");
        String cursor;
        try (TestDevice web = device("/ws", user, "web", List.of(org))) {
            web.send("{\"type\":\"SUBSCRIBE\",\"payload\":{\"orgId\":\"" + org + "\"}}");
            web.next("SUBSCRIBED");
            cursor = web.lastCursor();
        }
        String token = token(user, "witness", List.of(org));
        try (TestDevice witness = TestDevice.connect(ws("/api/ws/sync/" + org + "?token=" + token)).awaitEstablished()) {
            CompletableFuture<?> last = null;
            for (int i = 0; i < MISSED; i++) {
                last = publisher.publishToOrg(org, new OrgSyncEvent(MessageType.SYNC_PROGRESS, org, "job-" + i,
                        "PFA-1", null, "step " + i, null, Instant.now()));
            }
            last.get(10, TimeUnit.SECONDS);
            await("witness received the org's events").until(() ->
                    witness.received.stream().anyMatch(f -> f.contains("\"job-" + (MISSED - 1) + "\"")));
        }
        try (TestDevice web = TestDevice.connect(ws("/ws?token=" + token(user, "web", List.of(org)) + "&cursor="
                + URLEncoder.encode(cursor, StandardCharsets.UTF_8)))) {
            assertThat(web.next("CONNECTION_ESTABLISHED")).contains("\"resumed\":true");
            web.next("PENDING_CHECK_COMPLETE");
            web.send("{\"type\":\"SUBSCRIBE\",\"payload\":{\"orgId\":\"" + org + "\"}}");
            web.next("SUBSCRIBED");
            for (int i = 0; i < MISSED; i++) {
                assertThat(web.next("SYNC_PROGRESS")).contains("\"job-" + i + "\"");
            }
        }
    }

    /** The cursor of a device that connected and left before anything was published to its user. */
    private String cursorOfANewDevice(String user) throws Exception {
        try (TestDevice phone = device("/ws", user, "phone", List.of())) {
            return phone.lastCursor();
        }
    }

    /**
     * Publishes balances 0 to {@link #MISSED} to the user (and {@code alongside} after each), and waits until a
     * device connected throughout got the last: the pod has routed them all before the test resumes another.
     */
    private void publishWhileAway(String user, IntConsumer alongside) throws Exception {
        try (TestDevice witness = device("/ws", user, "witness", List.of())) {
            for (int i = 0; i < MISSED; i++) {
                publisher.publishToUser(user, credit(user, i));
                alongside.accept(i);
            }
            publishCredit(user, MISSED);
            await("witness received balance " + MISSED).until(() ->
                    witness.received.stream().anyMatch(f -> f.contains("\"newBalance\":" + MISSED + ",")));
        }
    }

    /** Deletes every record of the user's partition of {@code topic}, as retention does with old segments. */
    private void deleteRecordsBelowTheEnd(String topic, String user) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            TopicPartition partition = new TopicPartition(topic,
                    Utils.toPositive(Utils.murmur2(user.getBytes(StandardCharsets.UTF_8))) % partitions);
            long end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
                    .get(10, TimeUnit.SECONDS).offset();
            admin.deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(end))).all().get(10, TimeUnit.SECONDS);
        }
    }
}
