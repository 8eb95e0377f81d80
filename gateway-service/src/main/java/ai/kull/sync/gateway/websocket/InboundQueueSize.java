package ai.kull.sync.gateway.websocket;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

/**
 * WebSockets Next gives every connection of a serial endpoint an unbounded queue of inbound callbacks whose first
 * chunk has Mutiny's "small buffer" size: 257 slots (1 KiB) by default, allocated at connect and held while the
 * connection lives, though it rarely holds more than one frame (the inbound rate limit bounds a burst). The
 * smallest size Mutiny allows makes the chunk 17 slots; a burst links more chunks, nothing is lost.
 * (Issue 15: heap per idle session.)
 */
@ApplicationScoped
class InboundQueueSize {

    static final int CHUNK = 16;

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        Infrastructure.setBufferSizeS(CHUNK);
    }
}
