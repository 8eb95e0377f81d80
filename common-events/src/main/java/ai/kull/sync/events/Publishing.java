package ai.kull.sync.events;

/**
 * Validation group with the extra rules an event must meet to be published to Kafka: an envelope needs
 * an id and a timestamp and must not carry a cursor (only the gateway sets one when delivering), and an
 * organization sync event needs its orgId. Decoding applies only the default group, because the seed
 * clients' messages omit these fields.
 */
public interface Publishing {
}
