package ai.kull.sync.loadgen;

/**
 * The Socket.IO v4 protocol (Engine.IO v4 packets, WebSocket transport only) as far as a device of the peer
 * benchmark needs it, over the same raw WebSocket the gateway's sessions use ({@code --protocol socketio}): the
 * server opens with {@code 0{...}}, the client joins the default namespace with its token ({@code 40{"token":..}},
 * the {@code auth} of the Socket.IO client), the server confirms with {@code 40{"sid":..}} or refuses with
 * {@code 44{...}}, pings with {@code 2} (answered {@code 3}), and sends events as {@code 42["<name>",<data>]}.
 * An event frame carries the envelope's JSON as its data, so {@link Marker} reads it as it reads the gateway's.
 */
final class SocketIo {

    /** Where a Socket.IO server listens, asking for the WebSocket transport straight away (no polling first). */
    static final String PATH = "/socket.io/?EIO=4&transport=websocket";
    /** Engine.IO's answer to the server's ping. */
    static final String PONG = "3";

    /** What a text frame from the server is. */
    enum Packet {
        /** Engine.IO handshake ({@code 0{"sid":..,"pingInterval":..}}): connect to the namespace now. */
        OPEN,
        /** Socket.IO CONNECT to the default namespace accepted: the session is in its room. */
        CONNECTED,
        /** Socket.IO CONNECT_ERROR (the server's middleware refused the token). */
        CONNECT_ERROR,
        /** Engine.IO ping: answer {@link #PONG}. */
        PING,
        /** Socket.IO EVENT. */
        EVENT,
        /** Socket.IO DISCONNECT or Engine.IO close: the server is done with this session. */
        DISCONNECT,
        OTHER
    }

    private SocketIo() {
    }

    static Packet packet(String frame) {
        if (frame.isEmpty()) {
            return Packet.OTHER;
        }
        return switch (frame.charAt(0)) {
            case '0' -> Packet.OPEN;
            case '1' -> Packet.DISCONNECT;
            case '2' -> Packet.PING;
            case '4' -> frame.length() < 2 ? Packet.OTHER : switch (frame.charAt(1)) {
                case '0' -> Packet.CONNECTED;
                case '1' -> Packet.DISCONNECT;
                case '2' -> Packet.EVENT;
                case '4' -> Packet.CONNECT_ERROR;
                default -> Packet.OTHER;
            };
            default -> Packet.OTHER;
        };
    }

    /** The CONNECT packet to the default namespace with the device's token as its auth. */
    static String connect(String token) {
        // A JWT is base64url and dots: nothing in it needs escaping in a JSON string.
        return "40{\"token\":\"" + token + "\"}";
    }
}
