package ai.kull.sync.gateway.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

/**
 * The live deliveries of one routed record, handed to each socket's event loop as one task. Written one by
 * one from the router's thread, every frame was a task of its own on its loop (a queue insertion and often
 * a wake-up); a fan-out to ten devices now costs one task per loop. A frame shared by several sessions (the
 * devices of one user at the same cursor) is encoded to bytes once, where each write encoded it again.
 * Used by the router's thread only, under its lock, so frames still leave in routing order.
 */
public final class WriteBatch {

    private record Write(DeviceSession session, String frame, ByteBuf bytes, Handler<AsyncResult<Void>> done) {

        void run() {
            try {
                if (bytes == null) {
                    SocketWriter.write(session.connection(), frame, done);
                } else {
                    SocketWriter.write(session.connection(), frame, bytes, done);
                }
            } catch (RuntimeException closedMeanwhile) {
                done.handle(Future.failedFuture(closedMeanwhile)); // the budget is released, the rest still go
            }
        }
    }

    private final long maxFrameBytes;
    private final Map<EventExecutor, List<Write>> byLoop = new IdentityHashMap<>();
    private String lastFrame;
    private ByteBuf lastBytes;

    WriteBatch(long maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    void add(DeviceSession session, String frame, Handler<AsyncResult<Void>> done) {
        EventExecutor loop = session.eventLoop();
        if (loop == null) {
            SocketWriter.write(session.connection(), frame, done);
            return;
        }
        if (frame != lastFrame) {
            lastFrame = frame;
            byte[] utf8 = frame.getBytes(StandardCharsets.UTF_8);
            // Larger frames are fragmented by writeTextMessage as the socket's maximum frame size requires.
            // Unreleasable: a heap buffer shared by several writes, each releasing its duplicate when written.
            lastBytes = utf8.length > maxFrameBytes ? null : Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(utf8));
        }
        byLoop.computeIfAbsent(loop, l -> new ArrayList<>()).add(new Write(session, frame, lastBytes, done));
    }

    /** Hands every loop its frames; the batch is empty again. */
    public void flush() {
        if (!byLoop.isEmpty()) {
            byLoop.forEach((loop, writes) -> {
                try {
                    loop.execute(() -> writes.forEach(Write::run));
                } catch (RejectedExecutionException stopping) {
                    writes.forEach(write -> write.done().handle(Future.failedFuture(stopping)));
                }
            });
            byLoop.clear();
        }
        lastFrame = null;
        lastBytes = null;
    }
}
