package ai.kull.sync.gateway.websocket;

import ai.kull.sync.gateway.GatewayTest;
import ai.kull.sync.kafka.local.KafkaBrokerTestResource;
import ai.kull.sync.testing.TestDevice;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * permessage-deflate switched on (quarkus.websockets-next.server.per-message-compression-supported=true): a
 * browser's offer is answered once, the gateway's frames arrive compressed, compressed client messages are
 * read, and a compressed message that inflates past the message bound, or is no deflate data, is closed with
 * its code. Quarkus 3.32 alone would answer no offer (quarkus#53159); {@link CompressionNegotiator} does.
 */
@QuarkusTest
@TestProfile(CompressionOnTest.SwitchOn.class)
@QuarkusTestResource(KafkaBrokerTestResource.class)
class CompressionOnTest extends GatewayTest {

    public static class SwitchOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.websockets-next.server.per-message-compression-supported", "true");
        }
    }

    /** The end of every compressed message, which the sender strips (RFC 7692, 7.2.1). */
    private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

    @Test
    void aBrowserOfferIsAcceptedAndBothDirectionsAreCompressed() throws Exception {
        String user = unique("deflate");
        try (RawWebSocket browser = RawWebSocket.connect(ws("/ws?token=" + token(user, "web", List.of())),
                CompressionTest.BROWSER_OFFER)) {
            assertThat(browser.extensions()).as("one answer").isEqualTo("permessage-deflate");
            Inflater inflater = new Inflater(true); // the server keeps its context between messages
            RawWebSocket.Frame established = browser.nextFrame();
            assertThat(established.rsv1()).isTrue();
            assertThat(inflate(inflater, established.payload())).contains("\"type\":\"CONNECTION_ESTABLISHED\"");

            publishCredit(user, 42);
            RawWebSocket.Frame credit = browser.nextFrame();
            assertThat(credit.rsv1()).isTrue();
            String text = inflate(inflater, credit.payload());
            assertThat(text).contains("\"type\":\"CREDIT_UPDATE\"", "\"newBalance\":42");
            assertThat(credit.payload().length).as("compressed on the wire").isLessThan(text.length());

            browser.sendCompressed(deflate("{\"type\":\"PING\"}"));
            RawWebSocket.Frame pong = browser.nextFrame();
            assertThat(inflate(inflater, pong.payload())).contains("\"type\":\"PONG\"");
        }
    }

    @Test
    void aClientThatOffersNothingGetsPlainFrames() throws Exception {
        assertPlainFrames(null);
    }

    /** The JDK's zlib deflates with the full window only (Netty would need JZlib, which is not shipped). */
    @Test
    void anOfferAskingForASmallerServerWindowIsDeclinedWithPlainFrames() throws Exception {
        assertPlainFrames("permessage-deflate; server_max_window_bits=10");
    }

    private void assertPlainFrames(String offer) throws Exception {
        try (RawWebSocket client = RawWebSocket.connect(ws("/ws?token=" + token(unique("plain"), "web", List.of())), offer)) {
            assertThat(client.extensions()).isNull();
            RawWebSocket.Frame established = client.nextFrame();
            assertThat(established.rsv1()).isFalse();
            assertThat(new String(established.payload(), StandardCharsets.UTF_8)).contains("CONNECTION_ESTABLISHED");
        }
    }

    @Test
    void aMessageInflatingPastTheBoundClosesWith1009AndGarbageWith1007() throws Exception {
        int max = 65_536; // gateway.session.max-message-bytes' default
        try (RawWebSocket bomb = RawWebSocket.connect(ws("/ws?token=" + token(unique("bomb"), "web", List.of())),
                CompressionTest.BROWSER_OFFER)) {
            byte[] deflated = deflate("{\"type\":\"PING\",\"payload\":{\"pad\":\"" + " ".repeat(4 * max) + "\"}}");
            assertThat(deflated.length).as("a small frame").isLessThan(2_000);
            bomb.sendCompressed(deflated);
            assertThat(bomb.awaitClose()).isEqualTo("1009 message too big");
        }
        try (RawWebSocket garbage = RawWebSocket.connect(ws("/ws?token=" + token(unique("garbage"), "web", List.of())),
                CompressionTest.BROWSER_OFFER)) {
            garbage.sendCompressed(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3});
            assertThat(garbage.awaitClose()).startsWith("1007");
        }
        try (TestDevice after = device("/ws", unique("after"), "web", List.of())) {
            after.send("{\"type\":\"PING\"}");
            assertThat(after.next("PONG")).as("the gateway serves new sessions").contains("\"timestamp\"");
        }
    }

    private static byte[] deflate(String text) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(text.getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        int n;
        while ((n = deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH)) > 0) {
            out.write(chunk, 0, n);
        }
        deflater.end();
        byte[] all = out.toByteArray();
        assertThat(Arrays.copyOfRange(all, all.length - 4, all.length)).isEqualTo(TAIL);
        return Arrays.copyOf(all, all.length - 4);
    }

    private static String inflate(Inflater inflater, byte[] payload) throws DataFormatException {
        byte[] input = Arrays.copyOf(payload, payload.length + 4);
        System.arraycopy(TAIL, 0, input, payload.length, 4);
        inflater.setInput(input);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        int n;
        while ((n = inflater.inflate(chunk)) > 0) {
            out.write(chunk, 0, n);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
