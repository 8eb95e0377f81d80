package ai.kull.sync.events.publish;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class AcksTest {

    private final MockProducer<String, String> producer =
            new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());

    @Test
    void completesWithTheBrokersAcknowledgement() {
        CompletableFuture<RecordMetadata> acked = Acks.send(producer, new ProducerRecord<>("t", "k", "v"));
        assertThat(acked).isNotDone();
        producer.completeNext();
        assertThat(acked).isCompleted();
        assertThat(acked.join().topic()).isEqualTo("t");
    }

    @Test
    void failsWithTheProducersError() {
        CompletableFuture<RecordMetadata> acked = Acks.send(producer, new ProducerRecord<>("t", "k", "v"));
        IllegalStateException error = new IllegalStateException("broker gone");
        producer.errorNext(error);
        assertThat(acked).isCompletedExceptionally();
        assertThat(acked.handle((ok, failure) -> failure).join()).isSameAs(error);
    }

    @Test
    void aSendThatThrowsFailsTheFutureInstead() {
        producer.close();
        CompletableFuture<RecordMetadata> acked = Acks.send(producer, new ProducerRecord<>("t", "k", "v"));
        assertThat(acked).isCompletedExceptionally();
    }
}
