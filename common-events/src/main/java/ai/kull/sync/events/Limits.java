package ai.kull.sync.events;

/**
 * Bounds shared by every wire field, referenced from the Jakarta Validation annotations so the runtime
 * checks and the generated JSON Schema agree. Ids are restricted to a safe alphabet because they travel
 * in Kafka keys, headers and log lines, and a cursor must need no JSON escaping so a gateway can splice it
 * into an already encoded envelope. Patterns are anchored because JSON Schema's {@code pattern} is not.
 */
public final class Limits {

    /** Characters allowed in any id (user, device, org, shoot, prompt, job, connection, pod). */
    public static final String ID_PATTERN = "^[A-Za-z0-9._:@-]+$";
    public static final String ID_PATTERN_MESSAGE = "must contain only letters, digits and . _ : @ -";
    public static final int ID_MAX = 128;

    /** A client message's own {@code id} (the device's retry key): letters, digits and . _ : - (no @). */
    public static final String CLIENT_ID_PATTERN = "^[A-Za-z0-9._:-]+$";
    public static final String CLIENT_ID_PATTERN_MESSAGE = "must contain only letters, digits and . _ : -";
    public static final int CLIENT_ID_MAX = 64;

    /** Resume positions are opaque to clients; the alphabet also covers base64url and separators. */
    public static final String CURSOR_PATTERN = "^[A-Za-z0-9._:@=,~+/-]+$";
    public static final String CURSOR_PATTERN_MESSAGE = "must contain only letters, digits and . _ : @ = , ~ + / -";
    public static final int CURSOR_MAX = 1024;

    /** Error codes are stable identifiers clients switch on. */
    public static final String CODE_PATTERN = "^[A-Z][A-Z0-9_]*$";
    public static final String CODE_PATTERN_MESSAGE = "must be UPPER_SNAKE_CASE";
    public static final int CODE_MAX = 64;

    /** Human-readable names: provider, platform, device name, current image file name. */
    public static final int NAME_MAX = 256;
    /** Free-text messages shown to users. */
    public static final int MESSAGE_MAX = 1000;
    /** Short explanations: credit change reason, error reason, resync reason. */
    public static final int REASON_MAX = 500;
    /** Explicit recipient lists and free-form detail maps. */
    public static final int COLLECTION_MAX = 1000;

    public static final String SIZE_MESSAGE = "must be at most {max} characters";
    public static final String COLLECTION_SIZE_MESSAGE = "must have at most {max} entries";

    private Limits() {
    }
}
