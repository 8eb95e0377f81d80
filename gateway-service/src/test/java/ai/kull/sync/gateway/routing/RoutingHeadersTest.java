package ai.kull.sync.gateway.routing;

import ai.kull.sync.events.EventHeaders;
import ai.kull.sync.events.MessageType;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RoutingHeadersTest {

    /** A header as the consumer builds it from a fetched batch: name and value still undecoded bytes. */
    private static Header fetched(String name, String value) {
        return new RecordHeader(ByteBuffer.wrap(name.getBytes(StandardCharsets.UTF_8)),
                ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)));
    }

    private static RecordHeaders headers(List<Header> headers) {
        return new RecordHeaders(headers.toArray(Header[]::new));
    }

    @Test
    void namesOfFetchedHeadersAreComparedWithoutDecodingThem() {
        Header header = fetched(EventHeaders.SCOPE, "USER");
        assertThat(RoutingHeaders.rawName(header)).as("Kafka still keeps the name's bytes in keyBuffer").isNotNull();
        assertThat(RoutingHeaders.nameOf(header)).isEqualTo(RoutingHeaders.Name.SCOPE);
        assertThat(RoutingHeaders.rawName(header)).as("not decoded by the comparison").isNotNull();
    }

    @Test
    void readsTheRoutingHeadersWhetherTheirNamesAreBytesOrAlreadyText() {
        List<Header> list = List.of(fetched(EventHeaders.EVENT_ID, "e-1"), fetched(EventHeaders.SCOPE, "USER"),
                fetched(EventHeaders.EVENT_TYPE, MessageType.CREDIT_UPDATE.name()),
                fetched(EventHeaders.TARGET_DEVICE, "phone"), fetched(EventHeaders.ORIGIN_DEVICE, "mac"),
                fetched(EventHeaders.TRACEPARENT, "00-abc-def-01"), fetched("sync-scope-x", "BROADCAST"));
        RoutingHeaders routing = new RoutingHeaders();
        routing.read(headers(list));
        assertRead(routing);
        list.forEach(Header::key); // decoded by someone else (a trace, a log): compared as text from then on
        assertThat(RoutingHeaders.rawName(list.get(1))).isNull();
        RoutingHeaders again = new RoutingHeaders();
        again.read(headers(list));
        assertRead(again);
        // Produced in this process (a String name): also text.
        RoutingHeaders produced = new RoutingHeaders();
        produced.read(new RecordHeaders().add(EventHeaders.SCOPE, "ORG".getBytes(StandardCharsets.UTF_8)));
        assertThat(new String(produced.scope, StandardCharsets.UTF_8)).isEqualTo("ORG");
        assertThat(produced.type).isNull();
    }

    @Test
    void theLastHeaderOfANameWins() {
        RoutingHeaders routing = new RoutingHeaders();
        routing.read(headers(List.of(fetched(EventHeaders.SCOPE, "USER"), fetched(EventHeaders.SCOPE, "ORG"))));
        assertThat(new String(routing.scope, StandardCharsets.UTF_8)).isEqualTo("ORG");
    }

    private static void assertRead(RoutingHeaders routing) {
        assertThat(new String(routing.scope, StandardCharsets.UTF_8)).isEqualTo("USER");
        assertThat(routing.type).isSameAs(MessageType.CREDIT_UPDATE.name());
        assertThat(routing.targetDevice).isEqualTo("phone");
        assertThat(routing.originDevice).isEqualTo("mac");
        assertThat(routing.traceparent).isEqualTo("00-abc-def-01");
    }
}
