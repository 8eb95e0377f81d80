package ai.kull.sync.loadgen;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SocketIoTest {

    @Test
    void tellsThePacketsOfASessionApart() {
        assertThat(SocketIo.packet("0{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000}"))
                .isEqualTo(SocketIo.Packet.OPEN);
        assertThat(SocketIo.packet("40{\"sid\":\"b\"}")).isEqualTo(SocketIo.Packet.CONNECTED);
        assertThat(SocketIo.packet("44{\"message\":\"unauthorized\"}")).isEqualTo(SocketIo.Packet.CONNECT_ERROR);
        assertThat(SocketIo.packet("2")).isEqualTo(SocketIo.Packet.PING);
        assertThat(SocketIo.packet("42[\"CREDIT_UPDATE\",{\"type\":\"CREDIT_UPDATE\"}]")).isEqualTo(SocketIo.Packet.EVENT);
        assertThat(SocketIo.packet("41")).isEqualTo(SocketIo.Packet.DISCONNECT);
        assertThat(SocketIo.packet("1")).isEqualTo(SocketIo.Packet.DISCONNECT);
        assertThat(SocketIo.packet("")).isEqualTo(SocketIo.Packet.OTHER);
        assertThat(SocketIo.packet("4")).isEqualTo(SocketIo.Packet.OTHER);
    }

    @Test
    void connectsWithTheTokenAsTheHandshakesAuth() {
        assertThat(SocketIo.connect("h.p.s")).isEqualTo("40{\"token\":\"h.p.s\"}");
    }

    @Test
    void theMarkerIsReadFromAnEventFrame() {
        String frame = "42[\"CREDIT_UPDATE\",{\"id\":\"e1\",\"type\":\"CREDIT_UPDATE\",\"data\":{\"userId\":\"u1\","
                + "\"newBalance\":7,\"change\":1,\"reason\":\"" + Marker.reason(7, 1732200000123456L) + "\"},"
                + "\"timestamp\":1732200000123,\"userId\":\"u1\"}]";
        assertThat(Marker.read(frame)).containsExactly(7L, 1732200000123456L);
        assertThat(Marker.envelopeUserId(frame)).isEqualTo("u1");
    }
}
