package ai.kull.sync.events;

/** Who sends a message. */
public enum Direction {
    /** Sent by the gateway to devices (and, for Kafka-borne types, published by domain services). */
    SERVER_TO_CLIENT,
    /** Sent by a device to the gateway. */
    CLIENT_TO_SERVER,
    /** Either side may send it (keepalive). */
    BOTH,
    /** Exchanged between gateway pods over Kafka; never sent on a WebSocket. */
    INTERNAL
}
