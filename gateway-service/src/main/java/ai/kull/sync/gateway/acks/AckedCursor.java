package ai.kull.sync.gateway.acks;

/**
 * A device's last acknowledged cursor, as the acks topic holds it (the record's JSON value).
 *
 * @param ackedAt when the gateway received the ACK (epoch milliseconds)
 */
public record AckedCursor(String userId, String deviceId, String cursor, long ackedAt) {

    /**
     * The record key of a device: user and device id joined by {@code /}, which the contract's id pattern
     * ({@code [A-Za-z0-9._:@-]}) excludes, so no two devices share a key.
     */
    public static String key(String userId, String deviceId) {
        return userId + '/' + deviceId;
    }

    public String key() {
        return key(userId, deviceId);
    }
}
