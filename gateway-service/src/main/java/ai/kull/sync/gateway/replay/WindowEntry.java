package ai.kull.sync.gateway.replay;

import ai.kull.sync.events.Scope;

import java.nio.charset.StandardCharsets;

/**
 * One record as the router needs it: where it sits in Kafka, the routing facts from its key and headers,
 * and its value, decoded to text at most once however many sessions receive it.
 */
public final class WindowEntry {

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
     * @param slot         the partition's slot in the {@link TopicLayout}, or -1 outside the event topics
     * @param key          userId, orgId or (broadcasts) the aggregate id
     * @param targetDevice deliver only to this device, or null
     * @param originDevice deliver to every device but this one, or null
     */
    public WindowEntry(int slot, long offset, long timestamp, Scope scope, String key, String type,
                       String targetDevice, String originDevice, byte[] value) {
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

    /** The value as Kafka delivered it; the window copies it, so no caller may change it. */
    byte[] value() {
        return value;
    }
}
