package ai.kull.sync.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * close-codes.json (this module's resources) is the one source of the close codes: the SDK's CloseCode and default
 * policy and docs/protocol.md's table are generated from it (clients' protocol-doc.test.ts checks them), and this
 * checks the gateway's constants against it, both ways.
 */
class CloseCodesContractTest {

    /** Not a close code: what the refused-upgrade codes are offset from. */
    private static final String OFFSET = "REFUSED_UPGRADE_OFFSET";

    @Test
    void closeCodesJavaDeclaresExactlyTheGatewaysCodesOfTheDataFile() throws Exception {
        JsonNode codes = dataFile().get("codes");
        Map<String, Integer> expected = StreamSupport.stream(codes.spliterator(), false)
                .filter(entry -> entry.get("gateway").asBoolean())
                .collect(Collectors.toMap(CloseCodesContractTest::javaName, entry -> entry.get("code").asInt(),
                        (a, b) -> a, TreeMap::new));
        assertThat(javaConstants()).isEqualTo(expected);
    }

    @Test
    void everyEntryIsComplete() throws Exception {
        for (JsonNode entry : dataFile().get("codes")) {
            assertThat(entry.get("code").asInt()).as(entry.toString()).isBetween(1000, 4999);
            for (String field : new String[] {"name", "meaning", "action"}) {
                assertThat(entry.path(field).asText()).as("%s of %s", field, entry).isNotBlank();
            }
            assertThat(entry.has("gateway")).as("gateway flag of %s", entry).isTrue();
        }
        assertThat(dataFile().at("/otherCodes/policy/kind").asText()).isNotBlank();
    }

    /** The Java name: refused-upgrade codes carry the prefix UPGRADE_ (CloseCodes.UPGRADE_UNAUTHORIZED for 4401). */
    private static String javaName(JsonNode entry) {
        String name = entry.get("name").asText();
        return CloseCodes.isRefusedUpgrade(entry.get("code").asInt()) ? "UPGRADE_" + name : name;
    }

    private static Map<String, Integer> javaConstants() throws IllegalAccessException {
        Map<String, Integer> constants = new TreeMap<>();
        for (Field field : CloseCodes.class.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers) && field.getType() == int.class
                    && !field.getName().equals(OFFSET)) {
                constants.put(field.getName(), field.getInt(null));
            }
        }
        assertThat(constants).as("public int constants of CloseCodes").isNotEmpty();
        assertThat(Arrays.stream(CloseCodes.class.getDeclaredFields()).map(Field::getName)).contains(OFFSET);
        return constants;
    }

    private static JsonNode dataFile() throws Exception {
        try (InputStream in = CloseCodes.class.getResourceAsStream("/close-codes.json")) {
            assertThat(in).as("close-codes.json on the class path").isNotNull();
            return new ObjectMapper().readTree(in);
        }
    }
}
