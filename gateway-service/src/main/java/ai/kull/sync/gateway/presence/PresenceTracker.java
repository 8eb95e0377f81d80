package ai.kull.sync.gateway.presence;

import ai.kull.sync.events.Envelope;
import ai.kull.sync.events.MessageType;
import ai.kull.sync.events.codec.EventCodec;
import ai.kull.sync.events.codec.InvalidEventException;
import ai.kull.sync.events.payload.DeviceConnection;
import ai.kull.sync.events.payload.PodHeartbeat;
import ai.kull.sync.events.publish.EventPublisher;
import ai.kull.sync.gateway.auth.DeviceIdentity;
import ai.kull.sync.gateway.config.GatewayConfig;
import ai.kull.sync.gateway.config.PodId;
import ai.kull.sync.gateway.messaging.GatewayProducer;
import ai.kull.sync.gateway.metrics.GatewayMetrics;
import ai.kull.sync.gateway.session.DeviceSession;
import ai.kull.sync.gateway.session.SessionRegistry;
import ai.kull.sync.gateway.session.SessionSender;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Keeps the {@link DeviceDirectory} in step with the presence topic, tells the other pods this one is
 * alive and which devices connect to it and leave, and reports the devices of a pod that went silent (or restarted) as disconnected to this pod's
 * sessions of their users. Every pod does the latter for its own sessions, so each device hears it once.
 */
@ApplicationScoped
public class PresenceTracker {

    private static final Logger LOG = Logger.getLogger(PresenceTracker.class);

    private final DeviceDirectory directory;
    private final SessionRegistry sessions;
    private final SessionSender sender;
    private final EventPublisher publisher;
    private final GatewayProducer producer;
    private final GatewayMetrics metrics;
    private final EventCodec codec = new EventCodec();
    private final PodHeartbeat heartbeat;
    private final PodFigures figures;
    private final PodTable pods;

    public PresenceTracker(DeviceDirectory directory, SessionRegistry sessions, SessionSender sender,
                           EventPublisher publisher, GatewayProducer producer, GatewayMetrics metrics, PodId podId,
                           GatewayConfig config, PodFigures figures, PodTable pods) {
        this.figures = figures;
        this.pods = pods;
        this.directory = directory;
        this.sessions = sessions;
        this.sender = sender;
        this.publisher = publisher;
        this.producer = producer;
        this.metrics = metrics;
        this.heartbeat = new PodHeartbeat(podId.value(), System.currentTimeMillis(),
                config.presence().podHeartbeatInterval().toMillis());
    }

    /**
     * Applies one presence record.
     *
     * @param history true for records from before this pod started: they rebuild the directory, and the
     *                pods they speak of may be long gone, so their time (not now) says when a pod was seen
     * @return whether the record goes on to the user's devices: false for a pod heartbeat (for pods only) and
     *         for a record that is no presence event (counted)
     */
    public boolean apply(ConsumerRecord<String, byte[]> record, boolean history) {
        Envelope event;
        try {
            event = codec.decodeEnvelope(record.value());
        } catch (InvalidEventException invalid) {
            metrics.undeliverable("invalid-presence");
            return false;
        }
        long seenAt = history ? record.timestamp() : System.currentTimeMillis();
        switch (event.type()) {
            case DEVICE_CONNECTED -> directory.connected(record.key(), (DeviceConnection) event.data(), seenAt);
            case DEVICE_DISCONNECTED -> directory.disconnected(record.key(), (DeviceConnection) event.data());
            case POD_HEARTBEAT -> {
                PodHeartbeat beat = (PodHeartbeat) event.data();
                pods.heard(beat, seenAt);
                List<DeviceDirectory.Connection> restarted = directory.heartbeat(beat.pod(), beat.startedAt(), seenAt);
                if (!history) {
                    reportGone(restarted);
                }
                return false;
            }
            default -> metrics.undeliverable("unexpected-presence-type");
        }
        return true;
    }

    @Scheduled(every = "${gateway.presence.pod-heartbeat-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sendHeartbeat() {
        PodHeartbeat beat = figures.heartbeat(heartbeat.pod(), heartbeat.startedAt(), heartbeat.intervalMs());
        producer.publishPodHeartbeat(beat).whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.warnf("pod heartbeat not sent: %s", failure.getMessage());
            }
        });
    }

    /** Checked at the heartbeat rate, so a silent pod is noticed within its timeout plus one interval. */
    @Scheduled(every = "${gateway.presence.pod-heartbeat-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void expireSilentPods() {
        List<DeviceDirectory.Connection> gone = directory.expireSilentPods(heartbeat.pod(), System.currentTimeMillis());
        if (!gone.isEmpty()) {
            LOG.infof("%d connections of silent pods reported offline", gone.size());
            reportGone(gone);
        }
    }

    /** Tells the user's other devices, on every pod, that this one connected. */
    public void announceConnected(DeviceSession session) {
        announce(MessageType.DEVICE_CONNECTED, session);
    }

    /** Tells the user's other devices, on every pod, that this one left. */
    public void announceDisconnected(DeviceSession session) {
        announce(MessageType.DEVICE_DISCONNECTED, session);
    }

    /**
     * Both announcements of a connection carry the same connectedAt, which with the pod identifies the
     * connection in every pod's device directory.
     */
    private void announce(MessageType type, DeviceSession session) {
        DeviceIdentity identity = session.identity();
        DeviceConnection device = new DeviceConnection(identity.deviceId(), identity.platform(),
                identity.deviceName(), session.connectedAt(), heartbeat.pod());
        publisher.publishExceptDevice(identity.userId(), identity.deviceId(),
                        Envelope.of(type, device, identity.userId(), identity.deviceId()))
                .whenComplete((ok, failure) -> {
                    if (failure != null) {
                        LOG.warnf("could not publish %s for %s/%s: %s", type, identity.userId(),
                                identity.deviceId(), failure.getMessage());
                    }
                });
    }

    private void reportGone(List<DeviceDirectory.Connection> gone) {
        for (DeviceDirectory.Connection connection : gone) {
            String frame = null;
            for (DeviceSession session : sessions.forUser(connection.userId())) {
                if (session.deviceId().equals(connection.device().deviceId())) {
                    continue; // the device itself, already back on this pod
                }
                if (frame == null) {
                    frame = codec.encodeToString(Envelope.of(MessageType.DEVICE_DISCONNECTED, connection.device(),
                            connection.userId(), connection.device().deviceId()));
                }
                sender.send(session, frame);
            }
        }
    }
}
