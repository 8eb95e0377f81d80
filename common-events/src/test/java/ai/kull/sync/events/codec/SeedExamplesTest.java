package ai.kull.sync.events.codec;

import ai.kull.sync.events.ClientMessage;
import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.OrgSyncEvent;
import ai.kull.sync.events.payload.CreditUpdate;
import ai.kull.sync.events.payload.DeviceConnection;
import ai.kull.sync.events.payload.PromptAction;
import ai.kull.sync.events.payload.PromptChange;
import ai.kull.sync.events.payload.ShootProgress;
import ai.kull.sync.events.payload.ShootStatus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static ai.kull.sync.events.codec.SeedExamples.fieldNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The examples the seed documents give decode, validate and re-encode under the same field names. */
class SeedExamplesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final EventCodec codec = new EventCodec();

    @Test
    void shootProgressOfSeed002DecodesAndReEncodesItsDataUnchanged() throws Exception {
        ObjectNode seed = SeedExamples.tree("002-shoot-progress.jsonc");

        Envelope envelope = codec.decodeEnvelope(seed.toString());

        assertThat(envelope.type()).isEqualTo(MessageType.SHOOT_PROGRESS);
        assertThat(envelope.id()).isNull();
        assertThat(envelope.data()).isEqualTo(
                new ShootProgress("abc123", ShootStatus.PROCESSING, 247, 1000, "IMG_2047.jpg", 45.2, "gpt-5-nano", null));
        assertThat(((ShootProgress) envelope.data()).progress()).isEqualTo(0.247);
        JsonNode reEncoded = JSON.readTree(codec.encode(envelope));
        assertThat(reEncoded.get("data")).isEqualTo(seed.get("data"));
        assertThat(fieldNames(reEncoded)).containsExactlyInAnyOrder("type", "data", "timestamp");
    }

    @Test
    void shootProgressBodyOfSeed001DecodesAsEnvelopeData() throws Exception {
        ObjectNode body = SeedExamples.tree("001-shoot-progress-body.js");

        Envelope envelope = codec.decodeEnvelope(envelopeJson(MessageType.SHOOT_PROGRESS, body));

        assertThat(envelope.data()).isEqualTo(
                new ShootProgress("shoot_456", ShootStatus.PROCESSING, 15, 100, "IMG_0015.jpg", 120.0, "Replicate", null));
        Set<String> expected = fieldNames(body);
        expected.remove("userId"); // routes the HTTP request; the payload has no userId
        expected.add("progress");
        assertThat(fieldNames(JSON.readTree(codec.encode(envelope)).get("data"))).isEqualTo(expected);
    }

    @Test
    void creditUpdateBodyOfSeed001DecodesAsEnvelopeData() throws Exception {
        ObjectNode body = SeedExamples.tree("001-credit-update-body.js");

        Envelope envelope = codec.decodeEnvelope(envelopeJson(MessageType.CREDIT_UPDATE, body));

        assertThat(envelope.data()).isEqualTo(new CreditUpdate("user_123", 500L, 100L, "Credit purchase"));
        assertThat(JSON.readTree(codec.encode(envelope)).get("data")).isEqualTo(body);
    }

    @Test
    void creditUpdateBodyOfSeed001DecodesDirectlyAsAPayloadWithoutVersion() throws Exception {
        ObjectNode body = SeedExamples.tree("001-credit-update-body.js");

        CreditUpdate update = codec.decode(JSON.writeValueAsBytes(body), CreditUpdate.class);

        assertThat(update).isEqualTo(new CreditUpdate("user_123", 500L, 100L, "Credit purchase"));
        assertThat(update.version()).isNull();
        body.put("version", 0);
        assertThatThrownBy(() -> codec.decode(JSON.writeValueAsBytes(body), CreditUpdate.class))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.violations())
                        .containsExactly(new Violation("version", "must be greater than 0")));
    }

    @Test
    void promptChangeBodyOfSeed001DecodesAsEnvelopeData() throws Exception {
        ObjectNode body = SeedExamples.tree("001-prompt-change-body.js");

        Envelope envelope = codec.decodeEnvelope(envelopeJson(MessageType.PROMPT_CHANGE, body));

        assertThat(envelope.data())
                .isEqualTo(new PromptChange("prompt_789", PromptAction.VOTED, List.of("user_123", "user_456")));
        assertThat(JSON.readTree(codec.encode(envelope)).get("data")).isEqualTo(body);
    }

    @Test
    void deviceConnectedInSeed001ShapeDecodesAndReEncodesUnchanged() throws Exception {
        ObjectNode seed = SeedExamples.tree("001-device-connected.js");

        Envelope envelope = codec.decodeEnvelope(seed.toString());

        assertThat(envelope.data())
                .isEqualTo(new DeviceConnection("iphone_456", "ios", "Steve's iPhone", 1732788000000L, null));
        assertThat(envelope.timestamp()).isEqualTo(1732788000123L);
        assertThat(envelope.userId()).isEqualTo("user_123");
        assertThat(envelope.deviceId()).isEqualTo("iphone_456");
        assertThat(JSON.readTree(codec.encode(envelope))).isEqualTo(seed);
    }

    @Test
    void updateProgressFrameOfSeed001DecodesAsClientMessage() throws Exception {
        ObjectNode seed = SeedExamples.tree("001-update-progress-frame.js");

        ClientMessage message = codec.decodeClientMessage(seed.toString());

        assertThat(message.type()).isEqualTo(MessageType.UPDATE_PROGRESS);
        assertThat(message.payload()).isEqualTo(
                new ShootProgress("shoot_456", ShootStatus.PROCESSING, 15, 100, "IMG_0015.jpg", 120.0, "Local", null));
        JsonNode reEncoded = JSON.readTree(codec.encode(message));
        assertThat(fieldNames(reEncoded)).isEqualTo(fieldNames(seed));
        Set<String> payloadFields = fieldNames(seed.get("payload"));
        payloadFields.add("progress");
        assertThat(fieldNames(reEncoded.get("payload"))).isEqualTo(payloadFields);
    }

    @ParameterizedTest
    @MethodSource("ai.kull.sync.events.codec.SeedExamples#orgEventFiles")
    void organizationEventsOfSeed003DecodeAndReEncodeUnchanged(String file) throws Exception {
        ObjectNode seed = SeedExamples.tree(file);

        OrgSyncEvent event = codec.decodeOrgEvent(seed.toString());

        assertThat(event.type().name()).isEqualTo(seed.get("type").asText());
        assertThat(event.jobId()).isEqualTo("sync-job-123");
        assertThat(event.timestamp()).isEqualTo(Instant.parse(seed.get("timestamp").asText()));
        assertThat(event.orgId()).isNull();
        assertThat(JSON.readTree(codec.encode(event))).isEqualTo(seed);
    }

    @Test
    void organizationEventFieldsOfSeed003() {
        OrgSyncEvent progress = codec.decodeOrgEvent(SeedExamples.json("003-sync-progress.jsonc"));
        OrgSyncEvent conflict = codec.decodeOrgEvent(SeedExamples.json("003-sync-conflict.jsonc"));
        OrgSyncEvent failed = codec.decodeOrgEvent(SeedExamples.json("003-sync-failed.jsonc"));

        assertThat(progress.progress()).isEqualTo(45);
        assertThat(progress.message()).isEqualTo("Synced 3 of 7 records");
        assertThat(progress.pfaId()).isNull();
        assertThat(conflict.pfaId()).isEqualTo("PFA-001");
        assertThat(conflict.data()).containsEntry("field", "forecastStart").containsEntry("remoteValue", "2025-12-15");
        assertThat(failed.data()).isEqualTo(Map.of("errorCode", "PEMS_UNAVAILABLE", "retryable", true));
    }

    @Test
    void envelopesUseTheFieldNamesOfSeed001MessageShapes() throws Exception {
        Map<String, SeedExamples.Shape> shapes = SeedExamples.messageShapes();
        assertThat(shapes).containsOnlyKeys("SHOOT_PROGRESS", "CREDIT_UPDATE", "DEVICE_CONNECTED");
        Map<MessageType, Envelope> complete = Map.of(
                MessageType.SHOOT_PROGRESS, Envelope.of(MessageType.SHOOT_PROGRESS, new ShootProgress("s1",
                        ShootStatus.FAILED, 1, 2, "IMG_1.jpg", 3.0, "Local", "model timed out"), "u1", "d1"),
                MessageType.CREDIT_UPDATE, Envelope.of(MessageType.CREDIT_UPDATE,
                        new CreditUpdate("u1", 90L, -10L, "usage"), "u1", "d1"),
                MessageType.DEVICE_CONNECTED, Envelope.of(MessageType.DEVICE_CONNECTED,
                        new DeviceConnection("d1", "web", "Chrome", 1L, null), "u1", "d1"));

        for (Map.Entry<MessageType, Envelope> entry : complete.entrySet()) {
            String type = entry.getKey().name();
            SeedExamples.Shape shape = shapes.get(type);
            JsonNode encoded = JSON.readTree(codec.encode(entry.getValue()));
            Set<String> envelopeFields = fieldNames(encoded);
            envelopeFields.remove("id"); // our addition: the event id for idempotent consumers
            Set<String> dataFields = fieldNames(encoded.get("data"));
            dataFields.remove("progress"); // read by the iOS client (seed 002)
            assertThat(envelopeFields).as(type).isEqualTo(shape.fields());
            assertThat(dataFields).as(type).isEqualTo(shape.dataFields());
        }
    }

    private static String envelopeJson(MessageType type, ObjectNode data) {
        ObjectNode envelope = JSON.createObjectNode().put("type", type.name());
        envelope.set("data", data);
        return envelope.toString();
    }
}
