package ai.kull.sync.shoot.rest;

import ai.kull.sync.events.payload.ShootProgress;
import ai.kull.sync.events.payload.ShootStatus;
import ai.kull.sync.shoot.service.ShootTracker;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A shoot's latest progress as the read endpoints return it, with the seeds' field names plus the percentage
 * the web client shows ({@code progress * 100}, one decimal).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ShootView(String shootId, String userId, ShootStatus status, int processedCount, int totalCount,
                        double progress, double percentage, String currentImage, Double eta, String provider,
                        String errorMessage, long updatedAt, String eventId, String deviceId) {

    static ShootView of(ShootTracker.Tracked tracked) {
        ShootProgress p = tracked.progress();
        return new ShootView(p.shootId(), tracked.userId(), p.status(), p.processedCount(), p.totalCount(),
                p.progress(), percentage(p), p.currentImage(), p.eta(), p.provider(),
                p.errorMessage(), tracked.updatedAt(), tracked.eventId(), tracked.deviceId());
    }

    static double percentage(ShootProgress progress) {
        return Math.round(progress.progress() * 1000) / 10.0;
    }
}
