package ai.kull.sync.events.codec;

import ai.kull.sync.events.ClientMessage;
import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.OrgSyncEvent;
import ai.kull.sync.events.Publishing;
import ai.kull.sync.events.TeamEvent;
import ai.kull.sync.events.payload.ErrorPayload;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import jakarta.validation.groups.Default;
import org.hibernate.validator.HibernateValidator;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Encodes, decodes and validates every wire message with one strictly configured Jackson mapper and one
 * validator. Both directions validate: a decoded message is always valid and nothing invalid is encoded.
 * Every failure is an {@link InvalidEventException} listing field-level {@link Violation}s. Thread-safe;
 * build one and share it.
 */
public final class EventCodec {

    /** Deeper JSON than any message needs is rejected early; only free-form detail maps nest at all. */
    private static final int MAX_NESTING_DEPTH = 32;

    private final ObjectMapper mapper = buildMapper();
    private final Validator validator = buildValidator();
    private final JacksonFailures failures = new JacksonFailures(mapper);

    public byte[] encode(Envelope envelope) {
        return write(validate(envelope));
    }

    public String encodeToString(Envelope envelope) {
        return new String(encode(envelope), StandardCharsets.UTF_8);
    }

    public byte[] encode(ClientMessage message) {
        return write(validate(message));
    }

    public String encodeToString(ClientMessage message) {
        return new String(encode(message), StandardCharsets.UTF_8);
    }

    public byte[] encode(OrgSyncEvent event) {
        return write(validate(event));
    }

    /** Another team's event, in the envelope shape devices receive (see {@link TeamEvent}). */
    public byte[] encode(TeamEvent event) {
        return write(validate(event));
    }

    public String encodeToString(OrgSyncEvent event) {
        return new String(encode(event), StandardCharsets.UTF_8);
    }

    public Envelope decodeEnvelope(byte[] json) {
        return validate(bind(parse(json), Envelope.class));
    }

    public Envelope decodeEnvelope(String json) {
        return decodeEnvelope(json.getBytes(StandardCharsets.UTF_8));
    }

    public ClientMessage decodeClientMessage(byte[] json) {
        return validate(bind(parse(json), ClientMessage.class));
    }

    public ClientMessage decodeClientMessage(String json) {
        return decodeClientMessage(json.getBytes(StandardCharsets.UTF_8));
    }

    public OrgSyncEvent decodeOrgEvent(byte[] json) {
        return validate(bind(parse(json), OrgSyncEvent.class));
    }

    public OrgSyncEvent decodeOrgEvent(String json) {
        return decodeOrgEvent(json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Decodes a JSON object into any annotated record (a payload, or a service's request type) and validates
     * it, with the same strict rules and field-level violations as the wire messages. Unknown fields are
     * ignored, so several types can be read from one body.
     */
    public <T> T decode(byte[] json, Class<T> type) {
        return validate(bind(parse(json), type));
    }

    /**
     * Checks the Jakarta Validation rules of a message (envelope, client message, org event, payload or any
     * other annotated object) and returns it.
     */
    public <T> T validate(T message) {
        return check(message, validator.validate(message, Default.class));
    }

    /** {@link #validate} plus the rules for publishing to Kafka (the {@link Publishing} group). */
    public <T> T validateForPublishing(T message) {
        return check(message, validator.validate(message, Default.class, Publishing.class));
    }

    private <T> T check(T message, Set<ConstraintViolation<T>> found) {
        if (found.isEmpty()) {
            return message;
        }
        List<Violation> violations = found.stream()
                .map(v -> new Violation(path(v.getPropertyPath()), v.getMessage()))
                .sorted(Comparator.comparing(Violation::field).thenComparing(Violation::reason))
                .toList();
        boolean typeWrong = violations.stream().anyMatch(v -> v.field().equals("type"));
        throw new InvalidEventException(typeWrong ? ErrorPayload.UNKNOWN_TYPE : ErrorPayload.INVALID_FIELD, violations);
    }

    private JsonNode parse(byte[] json) {
        if (json == null) {
            // A Kafka tombstone: no event, and no reason for a consumer to fail on it.
            throw new InvalidEventException(ErrorPayload.MALFORMED_JSON,
                    List.of(new Violation(Violation.WHOLE_MESSAGE, JacksonFailures.NOT_JSON)));
        }
        JsonNode tree;
        try {
            tree = mapper.readTree(json);
        } catch (IOException e) {
            throw new InvalidEventException(ErrorPayload.MALFORMED_JSON,
                    List.of(new Violation(Violation.WHOLE_MESSAGE, JacksonFailures.NOT_JSON)));
        }
        if (tree == null || tree.isMissingNode()) {
            throw new InvalidEventException(ErrorPayload.MALFORMED_JSON,
                    List.of(new Violation(Violation.WHOLE_MESSAGE, JacksonFailures.NOT_JSON)));
        }
        if (!tree.isObject()) {
            throw new InvalidEventException(ErrorPayload.INVALID_FIELD,
                    List.of(new Violation(Violation.WHOLE_MESSAGE, "expected an object")));
        }
        return tree;
    }

    private <T> T bind(JsonNode tree, Class<T> type) {
        try {
            return mapper.treeToValue(tree, type);
        } catch (JacksonException e) {
            Violation violation = failures.fromBinding(e);
            boolean typeWrong = violation.field().equals("type");
            throw new InvalidEventException(typeWrong ? ErrorPayload.UNKNOWN_TYPE : ErrorPayload.INVALID_FIELD,
                    List.of(violation));
        }
    }

    private byte[] write(Object message) {
        try {
            return mapper.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            // Only reachable through a non-JSON value in a free-form detail map.
            throw new UncheckedIOException(e);
        }
    }

    /** {@code data.userIds[2]}: property names joined by dots, container positions in brackets. */
    private static String path(Path path) {
        StringBuilder out = new StringBuilder();
        for (Path.Node node : path) {
            if (node.isInIterable()) {
                out.append('[').append(node.getIndex() != null ? node.getIndex() : node.getKey()).append(']');
            }
            if (node.getName() != null && node.getKind() == ElementKind.PROPERTY) {
                out.append(out.isEmpty() ? "" : ".").append(node.getName());
            }
        }
        return out.isEmpty() ? Violation.WHOLE_MESSAGE : out.toString();
    }

    private static ObjectMapper buildMapper() {
        JsonFactory factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                .build();
        JsonMapper mapper = JsonMapper.builder(factory)
                .addModule(new JavaTimeModule())
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                // Forward compatibility: newer producers may add fields older consumers do not know.
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                // Required numbers are boxed and @NotNull; this guards any primitive added later.
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        // A number sent as a string (or the reverse) is a client bug to report, not to guess around.
        for (LogicalType numeric : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            mapper.coercionConfigFor(numeric).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        for (CoercionInputShape scalar : List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.Boolean)) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(scalar, CoercionAction.Fail);
        }
        for (CoercionInputShape number : List.of(CoercionInputShape.Integer, CoercionInputShape.Float)) {
            mapper.coercionConfigFor(LogicalType.DateTime).setCoercion(number, CoercionAction.Fail);
        }
        return mapper;
    }

    private static Validator buildValidator() {
        // ParameterMessageInterpolator: messages use only {max}-style parameters, so no EL implementation is needed.
        ValidatorFactory factory = Validation.byProvider(HibernateValidator.class)
                .configure()
                .messageInterpolator(new ParameterMessageInterpolator())
                .buildValidatorFactory();
        return factory.getValidator();
    }
}
