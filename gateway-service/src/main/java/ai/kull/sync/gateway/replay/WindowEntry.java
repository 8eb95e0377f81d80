package ai.kull.sync.gateway.replay;

import ai.kull.sync.events.Scope;

import java.nio.charset.StandardCharsets;

/**
 * One record as the router needs it: where it sits in Kafka, the routing facts from its key and headers,
 * and its value, decoded to text at most once however many sessions receive it.
 */
public final class WindowEntry {

    /** Object and index overhead per entry, counted with the value against the window's byte bound. */
    static final int OVERHEAD_BYTES = 160;

    private final long seq;
    private final int slot;
    private final long offset;
    private final long timestamp;
    private final Scope scope;
    private final String key;
    private final String type;
    private final String targetDevice;
    private final String originDevice;
    private final byte[] value;
    private String text;

    /**
     * @param seq          arrival order on this pod, which replay follows
     * @param slot         the partition's slot in the {@link TopicLayout}, or -1 outside the event topics
     * @param key          userId, orgId or (broadcasts) the aggregate id
     * @param targetDevice deliver only to this device, or null
     * @param originDevice deliver to every device but this one, or null
     */
    public WindowEntry(long seq, int slot, long offset, long timestamp, Scope scope, String key, String type,
                       String targetDevice, String originDevice, byte[] value) {
        this.seq = seq;
        this.slot = slot;
        this.offset = offset;
        this.timestamp = timestamp;
        this.scope = scope;
        this.key = key;
        this.type = type;
        this.targetDevice = targetDevice;
        this.originDevice = originDevice;
        this.value = value;
    }

    public long seq() {
        return seq;
    }

    public int slot() {
        return slot;
    }

    public long offset() {
        return offset;
    }

    public long timestamp() {
        return timestamp;
    }

    public Scope scope() {
        return scope;
    }

    public String key() {
        return key;
    }

    public String type() {
        return type;
    }

    public String targetDevice() {
        return targetDevice;
    }

    public String originDevice() {
        return originDevice;
    }

    /** The value as text; only the router's thread (under its lock) calls this. */
    public String text() {
        if (text == null) {
            text = new String(value, StandardCharsets.UTF_8);
        }
        return text;
    }

    /** The value, and room for its text once decoded (one byte per character for ASCII JSON). */
    long bytes() {
        return OVERHEAD_BYTES + 2L * value.length;
    }
}
