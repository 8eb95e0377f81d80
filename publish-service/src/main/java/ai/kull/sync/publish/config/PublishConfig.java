package ai.kull.sync.publish.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The publish API's settings, under {@code publish.} (env {@code PUBLISH_...}); the shared ones are sync.service.*. */
@ConfigMapping(prefix = "publish")
public interface PublishConfig {

    /**
     * The teams, the event types each owns and their JSON Schemas, as a JSON file (in Kubernetes a ConfigMap the chart
     * renders from its values). Without it no team exists and every request is refused with 401.
     */
    Optional<Path> teamsFile();

    /** The same JSON given inline (the Helm chart renders it from its values); not together with {@link #teamsFile()}. */
    Optional<String> teams();

    /**
     * The teams' credentials as {@code team=key} entries, comma separated (in Kubernetes from a Secret); a team may
     * have several keys at once, so a key can be rotated without downtime.
     */
    Optional<List<String>> teamKeys();

    /** Most events in one batch request; more are refused with 413. */
    @WithDefault("100")
    int maxBatchEvents();

    /** Largest {@code data} of one event, in bytes of its JSON; a larger one is refused with 413. */
    @WithDefault("32768")
    int maxEventBytes();

    /** Events a team may publish per second when its teams-file entry sets no {@code eventsPerSecond}. */
    @WithDefault("500")
    int eventsPerSecond();

    /** Events a team may publish at once above its rate (the bucket's size); at least {@link #maxBatchEvents()}. */
    @WithDefault("1000")
    int burstEvents();
}
