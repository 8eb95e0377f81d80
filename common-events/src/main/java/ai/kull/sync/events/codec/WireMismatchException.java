package ai.kull.sync.events.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

/** A decoding failure whose message is already a {@link Violation} reason, raised by our deserializers. */
final class WireMismatchException extends MismatchedInputException {

    WireMismatchException(JsonParser parser, Class<?> owner, String field, String reason) {
        super(parser, reason, owner);
        prependPath(owner, field);
    }
}
