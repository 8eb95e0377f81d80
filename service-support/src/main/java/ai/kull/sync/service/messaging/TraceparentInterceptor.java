package ai.kull.sync.service.messaging;

import ai.kull.sync.events.EventHeaders;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Puts the current OpenTelemetry span's W3C {@code traceparent} on every record the publisher sends, so a gateway
 * continues the trace of the HTTP request that published it. Runs in {@code send}, on the request's thread, where
 * the request's span is current. Nothing is added while OpenTelemetry is off (no valid span), nor when a record
 * already carries the header. A Kafka producer interceptor, so it stays one small piece whatever publishes the
 * records (the {@code EventPublisher} today, a SmallRye channel later: its connector adds the header itself).
 */
public class TraceparentInterceptor implements ProducerInterceptor<String, byte[]> {

    @Override
    public ProducerRecord<String, byte[]> onSend(ProducerRecord<String, byte[]> record) {
        SpanContext span = Span.fromContext(Context.current()).getSpanContext();
        if (span.isValid() && record.headers().lastHeader(EventHeaders.TRACEPARENT) == null) {
            W3CTraceContextPropagator.getInstance().inject(Context.current(), record, (carrier, key, value) ->
                    carrier.headers().add(key, value.getBytes(StandardCharsets.UTF_8)));
        }
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
