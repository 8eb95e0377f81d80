package ai.kull.sync.publish.teams;

import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.TeamEvent;
import ai.kull.sync.publish.config.PublishConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The teams, read once at start from {@code publish.teams-file} and {@code publish.team-keys}, and checked so that
 * a mistake stops the start with a message instead of surfacing per request: type names and prefixes well formed,
 * none of the contract's types owned (no team can emit CREDIT_UPDATE), no type owned by two teams, a schema only for
 * a type its team owns and valid as a JSON Schema (draft 2020-12), every key naming a known team.
 */
@ApplicationScoped
public class Teams {

    private static final Logger LOG = Logger.getLogger(Teams.class);
    private static final Pattern TEAM_NAME = Pattern.compile("^[a-z][a-z0-9-]{0,39}$");
    private static final Pattern OWNED = Pattern.compile("^[A-Z][A-Z0-9_]*\\*?$");

    private final Map<String, Team> byName;
    /** SHA-256 of each key, with its team: a key is compared by digest, in constant time, against all of them. */
    private final List<Map.Entry<byte[], Team>> keys;

    public Teams(PublishConfig config) {
        if (config.teamsFile().isPresent() && config.teams().isPresent()) {
            throw new IllegalStateException("publish.teams-file and publish.teams are both set: give the teams once");
        }
        this.byName = config.teamsFile().map(file -> read(file, config))
                .or(() -> config.teams().map(json -> parse(json, config, "publish.teams")))
                .orElse(Map.of());
        this.keys = keys(config.teamKeys().orElse(List.of()), byName);
        if (byName.isEmpty()) {
            LOG.warn("no teams configured (publish.teams-file): every publish request is refused");
        } else {
            LOG.infof("teams: %s", byName.keySet());
        }
    }

    /** The team whose key this is, or empty. */
    public Optional<Team> byKey(String presented) {
        byte[] digest = sha256(presented);
        Team found = null;
        for (Map.Entry<byte[], Team> key : keys) {
            if (MessageDigest.isEqual(key.getKey(), digest)) {
                found = key.getValue();
            }
        }
        return Optional.ofNullable(found);
    }

    /** Every team, in the file's order. */
    public List<Team> all() {
        return List.copyOf(byName.values());
    }

    /** The team that owns {@code type}, if any (for refusals that name the owner to operators, never to callers). */
    public Optional<Team> ownerOf(String type) {
        return byName.values().stream().filter(team -> team.owns(type)).findFirst();
    }

    static Map<String, Team> read(Path file, PublishConfig config) {
        try {
            return parse(Files.readString(file), config, file.toString());
        } catch (IOException e) {
            throw new IllegalStateException("publish.teams-file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    static Map<String, Team> parse(String json, PublishConfig config, String source) {
        try {
            return parse(new ObjectMapper().readTree(json), config, source);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(source + " is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The teams of a parsed teams file; {@code source} names it in the messages. */
    public static Map<String, Team> parse(JsonNode root, PublishConfig config, String source) {
        List<String> problems = new ArrayList<>();
        Map<String, Team> teams = new LinkedHashMap<>();
        JsonSchemaFactory schemas = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        JsonNode list = root == null ? null : root.get("teams");
        if (list == null || !list.isArray()) {
            throw new IllegalStateException(source + ": expected {\"teams\": [...]}");
        }
        for (JsonNode entry : list) {
            String name = entry.path("name").asText("");
            String at = source + " team '" + name + "'";
            if (!TEAM_NAME.matcher(name).matches()) {
                problems.add(at + ": name must be lower-case letters, digits and -, starting with a letter (at most 40)");
                continue;
            }
            if (teams.containsKey(name)) {
                problems.add(at + ": listed twice");
                continue;
            }
            List<String> types = new ArrayList<>();
            entry.path("types").forEach(type -> types.add(type.asText("")));
            if (types.isEmpty()) {
                problems.add(at + ": owns no types (\"types\": [\"NAME\" or \"PREFIX_*\"])");
            }
            for (String type : types) {
                if (!OWNED.matcher(type).matches() || type.length() > TeamEvent.TYPE_MAX) {
                    problems.add(at + ": type '" + type + "' must be UPPER_SNAKE_CASE, or a prefix ending in *");
                }
                for (MessageType contract : MessageType.values()) {
                    if (Team.covers(type, contract.name())) {
                        problems.add(at + ": type '" + type + "' covers the contract's own " + contract.name());
                    }
                }
            }
            Map<String, Team.RegisteredSchema> registered = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = entry.path("schemas").fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> schema = fields.next();
                if (types.stream().noneMatch(owned -> Team.covers(owned, schema.getKey()))) {
                    problems.add(at + ": schema for '" + schema.getKey() + "', a type the team does not own");
                    continue;
                }
                try {
                    registered.put(schema.getKey(), new Team.RegisteredSchema(schema.getValue(),
                            schemas.getSchema(schema.getValue())));
                } catch (RuntimeException e) {
                    problems.add(at + ": schema for '" + schema.getKey() + "' is not a valid JSON Schema: " + e.getMessage());
                }
            }
            int rate = entry.path("eventsPerSecond").asInt(config.eventsPerSecond());
            int burst = entry.path("burstEvents").asInt(config.burstEvents());
            if (rate < 1 || burst < config.maxBatchEvents()) {
                problems.add(at + ": eventsPerSecond must be at least 1 and burstEvents at least publish.max-batch-events ("
                        + config.maxBatchEvents() + "), or a full batch could never pass");
            }
            teams.put(name, new Team(name, List.copyOf(types), Map.copyOf(registered), rate, burst));
        }
        List<Team> all = List.copyOf(teams.values());
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                for (String a : all.get(i).types()) {
                    for (String b : all.get(j).types()) {
                        if (Team.covers(a, b.replace("*", "")) || Team.covers(b, a.replace("*", ""))) {
                            problems.add(source + ": '" + a + "' of team '" + all.get(i).name() + "' and '" + b
                                    + "' of team '" + all.get(j).name() + "' overlap: a type has one owner");
                        }
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("invalid teams: " + String.join("; ", problems));
        }
        return java.util.Collections.unmodifiableMap(teams);
    }

    private static List<Map.Entry<byte[], Team>> keys(List<String> entries, Map<String, Team> teams) {
        List<Map.Entry<byte[], Team>> keys = new ArrayList<>();
        for (String entry : entries) {
            int equals = entry.indexOf('=');
            String name = equals < 0 ? entry.trim() : entry.substring(0, equals).trim();
            String key = equals < 0 ? "" : entry.substring(equals + 1).trim();
            Team team = teams.get(name);
            if (team == null || key.length() < 16) {
                throw new IllegalStateException("publish.team-keys: entry for '" + name + "' must be team=key with a "
                        + "team of publish.teams-file and a key of at least 16 characters");
            }
            keys.add(Map.entry(sha256(key), team));
        }
        return List.copyOf(keys);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
