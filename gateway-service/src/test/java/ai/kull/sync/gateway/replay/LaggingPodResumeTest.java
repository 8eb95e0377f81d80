package ai.kull.sync.gateway.replay;

import ai.kull.sync.gateway.GatewayTest;
import ai.kull.sync.gateway.messaging.EventTopics;
import ai.kull.sync.gateway.messaging.RecordHandler;
import ai.kull.sync.gateway.routing.RecordRouting;
import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import ai.kull.sync.testing.TestDevice;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A device resuming on a pod that has not read yet what the pod it left had delivered (every pod reads at its
 * own pace) gets those events before PENDING_CHECK_COMPLETE, not after it: the resume completes only once the
 * pod has read the log as it stood when the device attached. The pod's reading is held here by a record handler
 * that waits before routing the user's events, so the lag is certain, not a race.
 */
@QuarkusTest
@TestProfile(LaggingPodResumeTest.HeldReading.class)
@QuarkusTestResource(KafkaBrokerTestResource.class)
class LaggingPodResumeTest extends GatewayTest {

    public static class HeldReading implements QuarkusTestProfile {
        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(HoldingRecordHandler.class);
        }
    }

    /** Routes as the pod does, except that the held user's event records wait for the latch. */
    @Alternative
    @Singleton
    public static class HoldingRecordHandler implements RecordHandler {
        static volatile String heldUser;
        static volatile CountDownLatch release;

        private final RecordRouting routing;

        public HoldingRecordHandler(RecordRouting routing) {
            this.routing = routing;
        }

        @Override
        public Map<TopicPartition, Long> start(EventTopics topics, Map<TopicPartition, Long> windowStart) {
            return routing.start(topics, windowStart);
        }

        @Override
        public void event(ConsumerRecord<String, byte[]> record, long polledAt) {
            CountDownLatch latch = release;
            if (latch != null && record.key() != null && record.key().equals(heldUser)) {
                try {
                    latch.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            routing.event(record, polledAt);
        }

        @Override
        public void presence(ConsumerRecord<String, byte[]> record, boolean history, long polledAt) {
            routing.presence(record, history, polledAt);
        }
    }

    @Test
    void eventsDurableBeforeTheResumeButNotReadYetComeBeforePendingCheckComplete() throws Exception {
        String user = unique("lagging");
        String cursor;
        try (TestDevice phone = device("/ws", user, "phone", List.of())) {
            publishCredit(user, 1);
            phone.balancesUntil(1);
            cursor = phone.lastCursor();
        }

        double completedBefore = metric("sync_gateway_replay_completion_seconds_count");
        CountDownLatch release = new CountDownLatch(1);
        HoldingRecordHandler.heldUser = user;
        HoldingRecordHandler.release = release;
        try {
            publishCredit(user, 2); // acknowledged by the broker: durable, but this pod cannot route it yet
            publishCredit(user, 3);
            try (TestDevice phone = resume(user, "phone", cursor)) {
                assertThat(phone.next("CONNECTION_ESTABLISHED")).contains("\"resumed\":true");
                release.countDown();
                List<String> replayed = untilPendingComplete(phone);
                assertThat(replayed).hasSize(3);
                assertThat(replayed.subList(0, 2)).allMatch(frame -> frame.contains("\"type\":\"CREDIT_UPDATE\""));
                assertThat(replayed.get(0)).contains("\"newBalance\":2,");
                assertThat(replayed.get(1)).contains("\"newBalance\":3,");
                assertThat(replayed.get(2)).contains("\"delivered\":2");
                assertThat(metric("sync_gateway_replay_completion_seconds_count")).isEqualTo(completedBefore + 1);

                publishCredit(user, 4);
                assertThat(phone.balancesUntil(4)).containsExactly(4L);
            }
        } finally {
            HoldingRecordHandler.release = null;
            release.countDown();
        }
    }
}
