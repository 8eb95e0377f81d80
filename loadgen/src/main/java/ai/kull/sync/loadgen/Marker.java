package ai.kull.sync.loadgen;

import java.time.Instant;

/**
 * What the load generator writes into each CREDIT_UPDATE it publishes, and reads back from each frame a
 * device receives: the per-user sequence number and the publish time in epoch microseconds, in the
 * payload's {@code reason} as {@code "lg <seq> <micros>"} (a SHOOT_PROGRESS's {@code currentImage}). The frame is
 * scanned as text, not parsed as JSON, so twenty thousand sessions in one JVM cost little more than the socket reads.
 */
public final class Marker {

    static final String PREFIX = "lg ";
    private static final String REASON = "\"reason\":\"" + PREFIX;
    /** Where a SHOOT_PROGRESS carries it (EventSource's shoot stream). */
    private static final String IMAGE = "\"currentImage\":\"" + PREFIX;
    private static final String USER_ID = "\"userId\":\"";
    private static final String TYPE = "\"type\":\"";
    private static final String CURSOR = "\"cursor\":\"";

    private Marker() {
    }

    /** The reason text carrying {@code seq} and {@code publishMicros}. */
    public static String reason(long seq, long publishMicros) {
        return PREFIX + seq + ' ' + publishMicros;
    }

    /** The wall clock in microseconds since the epoch (the clock both ends of a measurement read). */
    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** The frame's message type, or null. */
    public static String type(String frame) {
        return quoted(frame, frame.indexOf(TYPE), TYPE.length());
    }

    /**
     * The envelope's userId: the last one in the frame, since the envelope's own fields follow {@code data}
     * (whose payload may name a userId too). Null when there is none.
     */
    public static String envelopeUserId(String frame) {
        return quoted(frame, frame.lastIndexOf(USER_ID), USER_ID.length());
    }

    /** The resume cursor the gateway stamped on the frame, or null. */
    public static String cursor(String frame) {
        return quoted(frame, frame.lastIndexOf(CURSOR), CURSOR.length());
    }

    /**
     * The marker in a frame: {@code [seq, publishMicros]}, or null when the frame carries none (control
     * messages, other producers' events).
     */
    public static long[] read(String frame) {
        int at = frame.indexOf(REASON);
        int i = at + REASON.length();
        if (at < 0) {
            at = frame.indexOf(IMAGE);
            i = at + IMAGE.length();
        }
        if (at < 0) {
            return null;
        }
        long seq = 0;
        int digits = 0;
        for (; i < frame.length() && Character.isDigit(frame.charAt(i)); i++, digits++) {
            seq = seq * 10 + (frame.charAt(i) - '0');
        }
        if (digits == 0 || i >= frame.length() || frame.charAt(i) != ' ') {
            return null;
        }
        long micros = 0;
        digits = 0;
        for (i++; i < frame.length() && Character.isDigit(frame.charAt(i)); i++, digits++) {
            micros = micros * 10 + (frame.charAt(i) - '0');
        }
        return digits == 0 ? null : new long[] {seq, micros};
    }

    private static String quoted(String frame, int at, int skip) {
        if (at < 0) {
            return null;
        }
        int start = at + skip;
        int end = frame.indexOf('"', start);
        return end < 0 ? null : frame.substring(start, end);
    }
}
