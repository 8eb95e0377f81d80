package ai.kull.sync.gateway.messaging;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;
import java.util.Optional;

/**
 * Questions between pods over Kafka (the admin topic; no pod needs another's address). Besides the admin API's own
 * questions, a {@link Op} bean answers the questions it names: e.g. a client frame POSTed to one pod for an SSE
 * session another pod holds.
 */
public interface PeerRequests {

    /** One question this pod answers for others. */
    interface Op {
        String name();

        /** The answer (encoded as JSON); called off the bus's thread. */
        Object answer(Map<String, String> args);
    }

    /**
     * Asks one other pod and waits up to {@code gateway.admin.peer-timeout}.
     *
     * @return its answer, or empty when it did not answer in time
     */
    Optional<JsonNode> ask(String pod, String op, Map<String, String> args) throws InterruptedException;
}
