package ai.kull.sync.events.codec;

import ai.kull.sync.events.MessageType;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import java.time.temporal.Temporal;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns Jackson's exceptions into field-level {@link Violation}s. Jackson's own messages name Java
 * classes and configuration features; clients get the field path and a short reason instead.
 */
final class JacksonFailures {

    static final String NOT_JSON = "not valid JSON";
    /** Longest excerpt of a client's value quoted back in a reason, so an ERROR frame stays small. */
    private static final int QUOTED_VALUE_MAX = 40;

    private final ObjectMapper mapper;

    JacksonFailures(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** A failure while binding an already parsed JSON tree to the message records. */
    Violation fromBinding(JacksonException e) {
        if (e instanceof JsonMappingException m) {
            return new Violation(path(m), reason(m));
        }
        return new Violation(Violation.WHOLE_MESSAGE, NOT_JSON);
    }

    private String reason(JsonMappingException e) {
        if (e instanceof WireMismatchException) {
            return e.getOriginalMessage();
        }
        if (e.getCause() instanceof InputCoercionException) {
            return "number out of range";
        }
        if (e instanceof InvalidFormatException f && f.getValue() instanceof String value) {
            if (f.getTargetType() == MessageType.class) {
                return "unknown type '" + quote(value) + "'";
            }
            if (f.getTargetType() != null && f.getTargetType().isEnum()) {
                return "unknown value '" + quote(value) + "', expected one of " + wireNames(f.getTargetType());
            }
        }
        if (e instanceof MismatchedInputException m) {
            return expected(m.getTargetType());
        }
        return "invalid value";
    }

    private static String expected(Class<?> target) {
        if (target == null) {
            return "invalid value";
        }
        if (target == Integer.class || target == int.class || target == Long.class || target == long.class
                || target == Short.class || target == short.class) {
            return "expected an integer";
        }
        if (Number.class.isAssignableFrom(target) || target == double.class || target == float.class) {
            return "expected a number";
        }
        if (target == String.class || target.isEnum()) {
            return "expected a string";
        }
        if (target == Boolean.class || target == boolean.class) {
            return "expected a boolean";
        }
        if (Temporal.class.isAssignableFrom(target)) {
            return "expected an ISO-8601 timestamp string";
        }
        if (Collection.class.isAssignableFrom(target) || target.isArray()) {
            return "expected an array";
        }
        if (Map.class.isAssignableFrom(target) || !target.isPrimitive()) {
            return "expected an object";
        }
        return "invalid value";
    }

    private List<String> wireNames(Class<?> enumType) {
        return Arrays.stream(enumType.getEnumConstants())
                .map(constant -> mapper.convertValue(constant, String.class))
                .collect(Collectors.toList());
    }

    private static String quote(String value) {
        return value.length() <= QUOTED_VALUE_MAX ? value : value.substring(0, QUOTED_VALUE_MAX) + "...";
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? Violation.WHOLE_MESSAGE : path.toString();
    }
}
