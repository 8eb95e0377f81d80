package ai.kull.sync.publish.rest;

import ai.kull.sync.publish.teams.Team;
import ai.kull.sync.publish.teams.Teams;
import ai.kull.sync.service.rest.CallerAuth;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/admin/event-types}: the teams, the types each owns and their registered JSON Schemas, for
 * operators (the console's ops view, with its admin JWT) and services; never the teams' keys.
 */
@Path("/api/admin/event-types")
@Produces(MediaType.APPLICATION_JSON)
public class EventTypesResource {

    private final Teams teams;
    private final CallerAuth auth;

    public EventTypesResource(Teams teams, CallerAuth auth) {
        this.teams = teams;
        this.auth = auth;
    }

    /** One team as operators see it. */
    public record TeamView(String name, List<String> types, int eventsPerSecond, int burstEvents,
                           Map<String, JsonNode> schemas) {
    }

    public record TeamsView(List<TeamView> teams) {
    }

    @GET
    @Operation(summary = "Teams, the event types they own and their registered JSON Schemas (admin JWT or service credential)")
    public TeamsView list(@Context HttpHeaders headers) {
        auth.requireServiceOrAdmin(headers);
        return new TeamsView(teams.all().stream().map(EventTypesResource::view).toList());
    }

    private static TeamView view(Team team) {
        Map<String, JsonNode> schemas = new LinkedHashMap<>();
        team.schemas().forEach((type, schema) -> schemas.put(type, schema.json()));
        return new TeamView(team.name(), team.types(), team.eventsPerSecond(), team.burstEvents(), schemas);
    }
}
