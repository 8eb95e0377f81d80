package ai.kull.sync.service.error;

/** The brokers did not acknowledge in time: answered 503 with Retry-After, never a false success. */
public class KafkaUnavailable extends RuntimeException {

    public KafkaUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
