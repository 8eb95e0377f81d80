package ai.kull.sync.shoot.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** shoot-service settings, under {@code shoot.} (env: {@code SHOOT_...}). */
@ConfigMapping(prefix = "shoot")
public interface ShootConfig {

    /** How long a completed or failed shoot stays in a user's active list (the native client waits 5 s). */
    @WithDefault("5s")
    Duration activeGrace();

    /** How long a completed or failed shoot stays readable at all; then it is dropped from memory. */
    @WithDefault("24h")
    Duration retention();
}
