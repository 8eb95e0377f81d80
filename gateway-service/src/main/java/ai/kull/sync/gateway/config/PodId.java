package ai.kull.sync.gateway.config;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/** This pod's id: configured (the Kubernetes pod name) or random per JVM, so two local replicas differ. */
@ApplicationScoped
public class PodId {

    private final String value;

    public PodId(GatewayConfig config) {
        this.value = config.podId().orElseGet(() -> "gateway-" + UUID.randomUUID().toString().substring(0, 8));
    }

    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return value;
    }
}
