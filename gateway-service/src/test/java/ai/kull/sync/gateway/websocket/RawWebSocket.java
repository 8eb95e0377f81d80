package ai.kull.sync.gateway.websocket;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain socket that sends a message the way browsers and Node do: one unfragmented,
 * masked frame however big (the JDK client splits big messages into several frames, which takes another path
 * through the server). Only what a test needs: the handshake, sending one text frame, reading until the
 * server's close frame.
 */
final class RawWebSocket implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    /** The server's Sec-WebSocket-Extensions answer; null when it accepted none. */
    private String extensions;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Opens the connection and completes the upgrade; fails unless the server answers 101. */
    static RawWebSocket connect(URI uri) throws IOException {
        return connect(uri, null);
    }

    /** As {@link #connect(URI)}, offering {@code extensions} (e.g. permessage-deflate) when not null. */
    static RawWebSocket connect(URI uri, String extensions) throws IOException {
        Socket socket = new Socket(uri.getHost(), uri.getPort());
        socket.setSoTimeout(10_000);
        RawWebSocket ws = new RawWebSocket(socket);
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET " + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
                + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + (extensions == null ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n") + "\r\n";
        ws.out.write(request.getBytes(StandardCharsets.US_ASCII));
        ws.out.flush();
        String head = ws.readHttpHead();
        if (!head.startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(""));
        }
        ws.extensions = head.lines().filter(line -> line.regionMatches(true, 0, "Sec-WebSocket-Extensions:", 0, 25))
                .map(line -> line.substring(25).trim()).reduce((one, more) -> one + ", " + more).orElse(null);
        return ws;
    }

    /** The extensions the server accepted in its 101 answer (all header lines, comma-joined), or null. */
    String extensions() {
        return extensions;
    }

    /** One data frame as it came off the wire: {@code rsv1} marks a compressed message (RFC 7692). */
    record Frame(boolean fin, boolean rsv1, int opcode, byte[] payload) {
    }

    /** The next data or close frame; pings are answered with a pong, as a browser does, and skipped. */
    Frame nextFrame() throws IOException {
        while (true) {
            int first = in.readUnsignedByte();
            int second = in.readUnsignedByte();
            long length = second & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[(int) length]; // server frames are not masked
            in.readFully(payload);
            int opcode = first & 0x0F;
            if (opcode == 0x9) {
                sendMasked(0x8A, payload);
            } else if (opcode != 0xA) {
                return new Frame((first & 0x80) != 0, (first & 0x40) != 0, opcode, payload);
            }
        }
    }

    /** Sends one text message as a single final frame, masked as a client must. */
    void sendOneFrame(String text) throws IOException {
        sendMasked(0x81, text.getBytes(StandardCharsets.UTF_8)); // FIN + text
    }

    /** Sends one text message compressed with permessage-deflate: {@code deflated} as the payload, RSV1 set. */
    void sendCompressed(byte[] deflated) throws IOException {
        sendMasked(0xC1, deflated); // FIN + RSV1 + text
    }

    private void sendMasked(int firstByte, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(firstByte);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length <= 0xFFFF) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.write(mask, 0, 4);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        try {
            frame.writeTo(out);
            out.flush();
        } catch (IOException closedWhileSending) {
            // The server may close (after its close frame) before the whole frame is written.
        }
    }

    /** Sends only the start of a masked text frame that claims {@code length} payload bytes, and 16 of them. */
    void sendFrameStartClaiming(long length) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81);
        frame.write(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8) {
            frame.write((int) (length >>> shift));
        }
        frame.write(new byte[4 + 16], 0, 20);
        frame.writeTo(out);
        out.flush();
    }

    /**
     * Reads frames until the server's close frame.
     *
     * @return the close code and reason, e.g. "1009 message too big"; "EOF" when the connection ended without one
     */
    String awaitClose() throws IOException {
        try {
            while (true) {
                Frame frame = nextFrame();
                byte[] payload = frame.payload();
                if (frame.opcode() == 0x8) {
                    int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                    String reason = payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
                    return code + " " + reason;
                }
            }
        } catch (EOFException | SocketTimeoutException ended) {
            return "EOF";
        } catch (IOException reset) {
            return "EOF " + reset.getMessage();
        }
    }

    /** @return true when the server closed the TCP connection (within the socket timeout) */
    boolean awaitEndOfStream() {
        try {
            InputStream stream = socket.getInputStream();
            byte[] buffer = new byte[8192];
            while (stream.read(buffer) >= 0) {
                // discard
            }
            return true;
        } catch (IOException e) {
            return !(e instanceof SocketTimeoutException);
        }
    }

    private String readHttpHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the handshake");
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
