package ai.kull.sync.gateway.messaging;

import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.gateway.config.PodId;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.util.Map;

/**
 * The pod's {@link LogReader}: reads of the event topics for replays older than the replay window, with the
 * bounds of {@code gateway.replay.log-*}. Its threads start with the first read.
 */
@Singleton
public class EventLog {

    private final LogReader reader;
    private boolean started;

    public EventLog(GatewayConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
                    PodId podId, GatewayMetrics metrics) {
        GatewayConfig.Replay replay = config.replay();
        this.reader = new LogReader(kafkaConfig, "gateway-" + podId.value(), replay.logReaders(),
                replay.logFetchBytes(), replay.logBufferBytes());
        metrics.logReplayMeters(reader, LogReader::recordsRead, LogReader::passes, LogReader::requestsRead,
                LogReader::queued);
    }

    public void read(LogReader.Request<?> request) {
        synchronized (this) {
            if (!started) {
                started = true;
                reader.start();
            }
        }
        reader.read(request);
    }

    void stop(@Observes ShutdownEvent event) {
        reader.close();
    }
}
