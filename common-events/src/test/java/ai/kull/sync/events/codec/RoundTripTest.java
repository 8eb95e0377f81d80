package ai.kull.sync.events.codec;

import ai.kull.sync.events.ClientMessage;
import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.OrgSyncEvent;
import ai.kull.sync.events.Samples;
import ai.kull.sync.events.payload.PendingRequest;
import ai.kull.sync.events.payload.Ping;
import ai.kull.sync.events.payload.Pong;
import ai.kull.sync.events.payload.ShootProgress;
import ai.kull.sync.events.payload.ShootStatus;
import ai.kull.sync.events.payload.Subscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

class RoundTripTest {

    private final EventCodec codec = new EventCodec();

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void everyTypeSurvivesEncodeAndDecodeInEachShapeItTravelsIn(MessageType type) {
        int shapes = 0;
        if (type.allowedInEnvelope()) {
            Envelope envelope = Samples.envelope(type);
            assertThat(codec.decodeEnvelope(codec.encode(envelope))).isEqualTo(envelope);
            assertThat(codec.decodeEnvelope(codec.encodeToString(envelope))).isEqualTo(envelope);
            shapes++;
        }
        if (type.allowedInClientMessage()) {
            ClientMessage message = Samples.clientMessage(type);
            assertThat(codec.decodeClientMessage(codec.encode(message))).isEqualTo(message);
            assertThat(codec.decodeClientMessage(codec.encodeToString(message))).isEqualTo(message);
            shapes++;
        }
        if (type.isOrgSyncEvent()) {
            OrgSyncEvent event = Samples.orgEvent(type);
            assertThat(codec.decodeOrgEvent(codec.encode(event))).isEqualTo(event);
            assertThat(codec.decodeOrgEvent(codec.encodeToString(event))).isEqualTo(event);
            shapes++;
        }
        assertThat(shapes).as("%s travels in at least one shape", type).isPositive();
    }

    @Test
    void envelopeFieldsAreWrittenInWireOrderWithCursorLastAndNullsOmitted() {
        Envelope delivered = new Envelope("6f1c3d9e-1b7a-4f0e-9a53-0c1d2e3f4a5b", MessageType.CREDIT_UPDATE,
                Samples.creditUpdate(), 1_732_788_000_000L, Samples.USER, null, "sync.credit-updates:3:1042");

        String json = codec.encodeToString(delivered);

        assertThat(json).isEqualTo("{\"id\":\"6f1c3d9e-1b7a-4f0e-9a53-0c1d2e3f4a5b\",\"type\":\"CREDIT_UPDATE\","
                + "\"data\":{\"userId\":\"user_123\",\"newBalance\":500,\"change\":100,\"reason\":\"Credit purchase\"},"
                + "\"timestamp\":1732788000000,\"userId\":\"user_123\",\"cursor\":\"sync.credit-updates:3:1042\"}");
        assertThat(codec.decodeEnvelope(json)).isEqualTo(delivered);
    }

    @Test
    void orgEventKeepsTheFlatShapeWithAnIsoTimestamp() {
        String json = codec.encodeToString(Samples.orgEvent(MessageType.SYNC_PROGRESS));

        assertThat(json).startsWith("{\"type\":\"SYNC_PROGRESS\",\"jobId\":\"sync-job-123\",\"pfaId\":\"PFA-001\","
                        + "\"progress\":45,\"message\":\"Synced 3 of 7 records\",\"data\":{")
                .endsWith(",\"timestamp\":\"2025-11-28T10:00:15.250Z\",\"orgId\":\"org-rio\"}");
    }

    @Test
    void shootProgressWritesTheDerivedFractionAndIgnoresOneSentIn() {
        String sent = "{\"type\":\"UPDATE_PROGRESS\",\"payload\":{\"shootId\":\"s1\",\"status\":\"processing\","
                + "\"processedCount\":1,\"totalCount\":4,\"provider\":\"Local\",\"progress\":0.99}}";

        ClientMessage message = codec.decodeClientMessage(sent);

        assertThat(codec.encodeToString(message)).contains("\"progress\":0.25");
    }

    @Test
    void progressIsZeroWhileTheTotalIsZero() {
        var empty = new ShootProgress("s1", ShootStatus.QUEUED, 0, 0, null, null, "Local", null);

        assertThat(empty.progress()).isZero();
    }

    @Test
    void envelopeOfAssignsAUniqueIdAndTheCurrentTime() {
        long before = System.currentTimeMillis();
        Envelope first = Samples.envelope(MessageType.CREDIT_UPDATE);
        Envelope second = Samples.envelope(MessageType.CREDIT_UPDATE);

        assertThat(first.id()).isNotEqualTo(second.id()).hasSize(36);
        assertThat(first.timestamp()).isBetween(before, System.currentTimeMillis());
        assertThat(first.cursor()).isNull();
    }

    @Test
    void unknownFieldsAreIgnoredForForwardCompatibility() {
        String newer = "{\"type\":\"PONG\",\"data\":{\"timestamp\":5,\"rttMs\":12},\"timestamp\":7,\"region\":\"eu\"}";

        assertThat(codec.decodeEnvelope(newer).data()).isEqualTo(new Pong(5L));
    }

    @Test
    void clientMessageAcceptsDataAsAnAliasOfPayloadAndAMissingPayload() {
        assertThat(codec.decodeClientMessage("{\"type\":\"SUBSCRIBE\",\"data\":{\"orgId\":\"org-rio\"}}"))
                .isEqualTo(new ClientMessage(MessageType.SUBSCRIBE, new Subscription("org-rio")));
        assertThat(codec.decodeClientMessage("{\"type\":\"PING\"}"))
                .isEqualTo(new ClientMessage(MessageType.PING, new Ping(null)));
        assertThat(codec.decodeClientMessage("{\"type\":\"GET_PENDING\",\"payload\":null}"))
                .isEqualTo(new ClientMessage(MessageType.GET_PENDING, new PendingRequest(null)));
    }

    @Test
    void clientMessageKeepsItsOptionalIdAndAckItsCursor() {
        ClientMessage progress = codec.decodeClientMessage("{\"type\":\"ACK\",\"id\":\"m-42:a.b_c\","
                + "\"payload\":{\"cursor\":\"1n8ue3k~3.1z,c.0\"}}");

        assertThat(progress).isEqualTo(new ClientMessage(MessageType.ACK, "m-42:a.b_c",
                new ai.kull.sync.events.payload.Ack("1n8ue3k~3.1z,c.0")));
        assertThat(codec.decodeClientMessage(codec.encode(progress))).isEqualTo(progress);
        assertThat(codec.decodeClientMessage("{\"type\":\"PING\"}").id()).isNull();
    }
}
