package ai.kull.sync.gateway.routing;

import ai.kull.sync.gateway.session.Offsets;

import java.util.Optional;

/**
 * A device's resume position: for each partition slot a session reads, the offset of the first record it
 * has not seen (everything meant for it below that was delivered). Opaque to clients; on the wire
 * {@code <epoch>~<slot>.<offset>,...} with numbers in base 36, within the contract's cursor pattern.
 *
 * @param positions next unseen offset by slot
 */
public record Cursor(String epoch, Offsets positions) {

    private static final int RADIX = 36;

    public static String encode(String epoch, int[] slots, long[] positions) {
        StringBuilder text = new StringBuilder(epoch.length() + 1 + slots.length * 8).append(epoch).append('~');
        for (int i = 0; i < slots.length; i++) {
            if (i > 0) {
                text.append(',');
            }
            text.append(Integer.toString(slots[i], RADIX)).append('.').append(Long.toString(positions[i], RADIX));
        }
        return text.toString();
    }

    /** @return empty when the text is not a cursor this gateway wrote */
    public static Optional<Cursor> parse(String text) {
        int tilde = text == null ? -1 : text.indexOf('~');
        if (tilde <= 0) {
            return Optional.empty();
        }
        Offsets positions = Offsets.none();
        try {
            String entries = text.substring(tilde + 1);
            if (!entries.isEmpty()) {
                for (String entry : entries.split(",", -1)) {
                    int dot = entry.indexOf('.');
                    int slot = Integer.parseInt(entry.substring(0, dot), RADIX);
                    long offset = Long.parseLong(entry.substring(dot + 1), RADIX);
                    if (slot < 0 || offset < 0 || positions.has(slot)) {
                        return Optional.empty();
                    }
                    positions.put(slot, offset);
                }
            }
        } catch (RuntimeException malformed) {
            return Optional.empty();
        }
        return Optional.of(new Cursor(text.substring(0, tilde), positions));
    }
}
