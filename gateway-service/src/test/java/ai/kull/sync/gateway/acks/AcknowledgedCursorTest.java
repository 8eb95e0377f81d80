package ai.kull.sync.gateway.acks;

import ai.kull.sync.gateway.GatewayTest;
import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.Topics;
import ai.kull.sync.gateway.acks.MessageIds;
import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import ai.kull.sync.testing.TestDevice;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static ai.kull.sync.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 22 on one real gateway and broker: ACK keeps a device's acknowledged cursor, {@code cursor=acked} resumes
 * from it (only the device's own), and client message ids are answered RECEIVED and applied once. (Across two pods:
 * system-tests' AcknowledgedCursorClusterIT.)
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerTestResource.class)
class AcknowledgedCursorTest extends GatewayTest {

    private static final String WRITTEN = "sync_gateway_acks_written_total";

    @Test
    void aDeviceResumesFromItsAcknowledgedCursorWithTheEventsAfterItAndNoneBefore() throws Exception {
        String user = unique("acked");
        try (TestDevice phone = device("/ws", user, "phone", List.of())) {
            publishCredit(user, 1);
            publishCredit(user, 2);
            assertThat(phone.balancesUntil(2)).containsExactly(1L, 2L);
            ackAndAwaitWritten(phone, phone.lastCursor());
            publishCredit(user, 3); // received, not acknowledged
            assertThat(phone.balancesUntil(3)).containsExactly(3L);
        }
        try (TestDevice witness = device("/ws", user, "witness", List.of())) {
            publishCredit(user, 4);
            assertThat(witness.balancesUntil(4)).containsExactly(4L);
        }

        try (TestDevice phone = TestDevice.connect(ws("/ws?cursor=acked&token=" + token(user, "phone", List.of())))) {
            assertThat(phone.next("CONNECTION_ESTABLISHED")).contains("\"resumed\":true");
            List<String> replayed = untilPendingComplete(phone);
            assertThat(replayed).filteredOn(f -> f.contains("CREDIT_UPDATE")).hasSize(2)
                    .allMatch(f -> f.contains("\"newBalance\":3,") || f.contains("\"newBalance\":4,"));
            assertThat(replayed.get(replayed.size() - 1)).contains("\"delivered\":2");
            publishCredit(user, 5);
            assertThat(phone.balancesUntil(5)).containsExactly(5L);
        }
        assertThat(metric("sync_gateway_acks_lookups_total{result=\"hit\"}")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aDeviceWithoutAnAcknowledgedCursorIsToldToResyncWithTheReason() throws Exception {
        String user = unique("noack");
        try (TestDevice tablet = TestDevice.connect(ws("/ws?cursor=acked&token=" + token(user, "tablet", List.of())))) {
            assertThat(tablet.next("CONNECTION_ESTABLISHED")).contains("\"resumed\":false");
            assertThat(tablet.next("RESYNC_REQUIRED"))
                    .contains("\"reason\":\"no acknowledged cursor for this device\"", "\"cursor\":\"");
            publishCredit(user, 1);
            assertThat(tablet.balancesUntil(1)).containsExactly(1L);
        }
    }

    @Test
    void anotherUsersDeviceOfTheSameIdDoesNotGetTheAcknowledgedCursor() throws Exception {
        String alice = unique("alice");
        String mallory = unique("mallory");
        try (TestDevice phone = device("/ws", alice, "phone", List.of())) {
            publishCredit(alice, 1);
            phone.balancesUntil(1);
            ackAndAwaitWritten(phone, phone.lastCursor());
        }
        publishCredit(alice, 2);
        try (TestDevice other = TestDevice.connect(ws("/ws?cursor=acked&token=" + token(mallory, "phone", List.of())))) {
            assertThat(other.next("CONNECTION_ESTABLISHED")).contains("\"resumed\":false");
            assertThat(other.next("RESYNC_REQUIRED")).contains("no acknowledged cursor for this device");
            publishCredit(mallory, 7);
            assertThat(other.balancesUntil(7)).containsExactly(7L);
            assertThat(other.received).noneMatch(f -> f.contains(alice));
        }
        // Nor another device of the same user.
        try (TestDevice mac = TestDevice.connect(ws("/ws?cursor=acked&token=" + token(alice, "mac", List.of())))) {
            assertThat(mac.next("RESYNC_REQUIRED")).contains("no acknowledged cursor for this device");
        }
    }

    @Test
    void anAckWithAJunkOrForeignCursorIsAnInvalidFieldAndTheSessionStays() throws Exception {
        String user = unique("junk");
        try (TestDevice phone = device("/ws", user, "phone", List.of())) {
            for (String bad : List.of("garbage", "otherepoch~0.1,1.2", "a b")) {
                phone.send("{\"type\":\"ACK\",\"payload\":{\"cursor\":\"" + bad + "\"}}");
                assertThat(phone.next("ERROR")).contains("\"code\":\"INVALID_FIELD\"", "cursor");
            }
            phone.send("{\"type\":\"PING\",\"id\":\"bad id\"}");
            assertThat(phone.next("ERROR")).contains("\"code\":\"INVALID_FIELD\"", "id:");
            phone.send("{\"type\":\"PING\",\"id\":\"p-1\"}");
            assertThat(phone.next()).contains("\"type\":\"PONG\"");
            assertThat(phone.next()).contains("\"type\":\"RECEIVED\"", "\"id\":\"p-1\"", "\"duplicate\":false");
        }
    }

    @Test
    void aRetriedMessageIdIsAnsweredDuplicateAndStoredAndDeliveredOnce() throws Exception {
        String user = unique("ids");
        String shoot = unique("shoot");
        try (TestDevice phone = device("/ws", user, "phone", List.of());
             TestDevice mac = device("/ws", user, "mac", List.of())) {
            double duplicatesBefore = metric("sync_gateway_client_messages_duplicates_total");
            phone.send(progress("m-1", shoot, 1));
            assertThat(phone.next("RECEIVED")).contains("\"id\":\"m-1\"", "\"duplicate\":false");
            phone.send(progress("m-1", shoot, 1));
            assertThat(phone.next("RECEIVED")).contains("\"id\":\"m-1\"", "\"duplicate\":true");
            // A later message as a marker: once the mac has it, it would have had a second copy of the first.
            phone.send(progress("m-2", shoot, 2));
            assertThat(phone.next("RECEIVED")).contains("\"id\":\"m-2\"", "\"duplicate\":false");
            mac.next("SHOOT_PROGRESS", "\"processedCount\":2,");
            assertThat(mac.received).filteredOn(f -> f.contains(shoot) && f.contains("\"processedCount\":1,"))
                    .hasSize(1).allMatch(f -> f.contains(MessageIds.eventId(user, "phone", "m-1")));
            assertThat(phone.received).noneMatch(f -> f.contains("SHOOT_PROGRESS"));
            assertThat(metric("sync_gateway_client_messages_duplicates_total")).isGreaterThan(duplicatesBefore);
        }
        assertThat(recordsWithId(Topics.SHOOT_PROGRESS, MessageIds.eventId(user, "phone", "m-1"))).isEqualTo(1);
    }

    private void ackAndAwaitWritten(TestDevice device, String cursor) {
        double before = metric(WRITTEN);
        device.send("{\"type\":\"ACK\",\"payload\":{\"cursor\":\"" + cursor + "\"}}");
        await("the ACK was written to the acks topic").until(() -> metric(WRITTEN) > before);
    }

    /** How many records of {@code topic} carry event id {@code eventId}, read from the beginning to the end. */
    private long recordsWithId(String topic, String eventId) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long found = 0;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    var id = record.headers().lastHeader(EventHeaders.EVENT_ID);
                    if (id != null && eventId.equals(new String(id.value(), StandardCharsets.UTF_8))) {
                        found++;
                    }
                }
            }
            return found;
        }
    }
}
