package ai.kull.sync.events;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

/** Checks {@link TypeFitsMessage}; a missing type or payload is left to its own {@code @NotNull}. */
public final class TypeFitsMessageValidator implements ConstraintValidator<TypeFitsMessage, Object> {

    /** Reasons shared with the decoders, so a decoded and a constructed message fail the same way. */
    public static final String NOT_IN_ENVELOPE = "not allowed in an envelope";
    public static final String NOT_IN_CLIENT_MESSAGE = "not allowed in a client message";
    public static final String NOT_ORG_SYNC_EVENT = "not an organization sync event";

    @Override
    public boolean isValid(Object message, ConstraintValidatorContext context) {
        if (message instanceof Envelope e && e.type() != null) {
            return e.type().allowedInEnvelope()
                    ? payloadFits(e.type(), e.data(), "data", context)
                    : fail(context, "type", NOT_IN_ENVELOPE);
        }
        if (message instanceof ClientMessage m && m.type() != null) {
            return m.type().allowedInClientMessage()
                    ? payloadFits(m.type(), m.payload(), "payload", context)
                    : fail(context, "type", NOT_IN_CLIENT_MESSAGE);
        }
        if (message instanceof OrgSyncEvent o && o.type() != null && !o.type().isOrgSyncEvent()) {
            return fail(context, "type", NOT_ORG_SYNC_EVENT);
        }
        return true;
    }

    private static boolean payloadFits(MessageType type, Object payload, String field,
                                       ConstraintValidatorContext context) {
        Class<?> expected = type.payloadClass().orElseThrow();
        return payload == null || expected.isInstance(payload)
                || fail(context, field, "must be a " + expected.getSimpleName() + " for type " + type);
    }

    private static boolean fail(ConstraintValidatorContext context, String field, String reason) {
        context.disableDefaultConstraintViolation();
        context.buildConstraintViolationWithTemplate(reason).addPropertyNode(field).addConstraintViolation();
        return false;
    }
}
