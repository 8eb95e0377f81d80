package ai.kull.sync.events.codec;

/**
 * One reason a message is invalid.
 *
 * @param field  path of the offending field, e.g. {@code data.processedCount} or {@code data.userIds[2]};
 *               {@code $} for the message as a whole
 * @param reason what is wrong, e.g. {@code must be <= totalCount}
 */
public record Violation(String field, String reason) {

    /** Field path of a problem with the whole message (e.g. it is not JSON). */
    public static final String WHOLE_MESSAGE = "$";

    @Override
    public String toString() {
        return field + ": " + reason;
    }
}
