package ai.kull.sync.events.codec;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.OrgSyncEvent;
import ai.kull.sync.events.Samples;
import ai.kull.sync.events.payload.ErrorPayload;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Error codes for ERROR frames, and the rules checked only before publishing. */
class InvalidEventExceptionTest {

    private final EventCodec codec = new EventCodec();

    @Test
    void errorCodeTellsMalformedJsonUnknownTypeAndInvalidFieldApart() {
        assertThat(failure(() -> codec.decodeClientMessage("{")).errorCode()).isEqualTo(ErrorPayload.MALFORMED_JSON);
        assertThat(failure(() -> codec.decodeEnvelope((byte[]) null)).errorCode()).as("a Kafka tombstone")
                .isEqualTo(ErrorPayload.MALFORMED_JSON);
        assertThat(failure(() -> codec.decodeClientMessage("{\"type\":\"NOPE\"}")).errorCode())
                .isEqualTo(ErrorPayload.UNKNOWN_TYPE);
        assertThat(failure(() -> codec.decodeClientMessage("{\"type\":\"CREDIT_UPDATE\"}")).errorCode())
                .isEqualTo(ErrorPayload.UNKNOWN_TYPE);
        assertThat(failure(() -> codec.decodeClientMessage("{\"type\":\"SUBSCRIBE\"}")).errorCode())
                .isEqualTo(ErrorPayload.INVALID_FIELD);
    }

    @Test
    void errorPayloadListsEveryViolationAndFitsTheReasonBound() {
        InvalidEventException failure = failure(() -> codec.decodeClientMessage("{\"type\":\"UPDATE_PROGRESS\"}"));

        ErrorPayload error = failure.toErrorPayload();

        assertThat(error.code()).isEqualTo(ErrorPayload.INVALID_FIELD);
        assertThat(error.reason()).isEqualTo("payload.processedCount: must not be null; payload.provider: must not be "
                + "blank; payload.shootId: must not be blank; payload.status: must not be null; "
                + "payload.totalCount: must not be null");
        assertThat(codec.validate(error)).isSameAs(error);
    }

    @Test
    void aQuotedValueIsCutSoTheErrorFrameStaysSmall() {
        String hugeType = "X".repeat(10_000);

        ErrorPayload error = failure(() -> codec.decodeClientMessage("{\"type\":\"" + hugeType + "\"}"))
                .toErrorPayload();

        assertThat(error.reason()).hasSizeLessThan(100).endsWith("...'");
        assertThat(codec.validate(error)).isSameAs(error);
    }

    @Test
    void publishingNeedsAnIdAndATimestampAndNoCursor() {
        Envelope fromSeed = new Envelope(null, MessageType.PONG, Samples.payloadFor(MessageType.PONG), 0, null, null,
                "sync.presence:0:7");

        assertThat(codec.validate(fromSeed)).isSameAs(fromSeed);
        assertThat(failure(() -> codec.validateForPublishing(fromSeed)).violations()).containsExactly(
                new Violation("cursor", "must be absent: only the gateway sets it"),
                new Violation("id", "must not be null"),
                new Violation("timestamp", "must be greater than 0"));
    }

    @Test
    void publishingAnOrganizationEventNeedsItsOrgId() {
        OrgSyncEvent withoutOrg = new OrgSyncEvent(MessageType.SYNC_STARTED, null, "sync-job-123", null, null, null,
                null, Instant.now());

        assertThat(codec.validate(withoutOrg)).isSameAs(withoutOrg);
        assertThat(failure(() -> codec.validateForPublishing(withoutOrg)).violations())
                .containsExactly(new Violation("orgId", "must not be blank"));
    }

    @Test
    void aPayloadOfTheWrongClassForItsTypeIsRejected() {
        Envelope mismatched = Envelope.of(MessageType.CREDIT_UPDATE, Samples.shootProgress(), "u1", null);

        assertThat(failure(() -> codec.encode(mismatched)).violations())
                .containsExactly(new Violation("data", "must be a CreditUpdate for type CREDIT_UPDATE"));
    }

    private static InvalidEventException failure(Runnable action) {
        InvalidEventException failure = catchThrowableOfType(InvalidEventException.class, action::run);
        assertThat(failure).isNotNull();
        return failure;
    }
}
