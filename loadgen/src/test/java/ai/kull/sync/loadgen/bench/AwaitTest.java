package ai.kull.sync.loadgen.bench;

import ai.kull.sync.process.ManagedProcess;
import ai.kull.sync.process.ProcessFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The benchmark's waits on a condition, against real processes. */
class AwaitTest {

    @TempDir
    Path dir;

    private ManagedProcess start(String script) throws Exception {
        return ManagedProcess.builder("probe", dir.resolve("probe.log"), List.of("sh", "-c", script)).start();
    }

    @Test
    void returnsOnceTheConditionHolds() throws Exception {
        try (ManagedProcess process = start("sleep 60")) {
            AtomicInteger looks = new AtomicInteger();
            Processes.await(process, "looked three times", Duration.ofMinutes(1), () -> looks.incrementAndGet() >= 3);
            assertThat(looks).hasValue(3);
        }
    }

    @Test
    void failsWithTheLogTailWhenTheProcessExitsFirst() throws Exception {
        try (ManagedProcess process = start("echo 'last words before exit'; exit 3")) {
            assertThatThrownBy(() -> Processes.await(process, "it is ready", Duration.ofMinutes(1), () -> false))
                    .isInstanceOf(ProcessFailure.class)
                    .hasMessageContaining("probe exited while waiting until it is ready")
                    .hasMessageContaining("last words before exit");
        }
    }

    @Test
    void failsWithTheLogTailAtTheDeadline() throws Exception {
        try (ManagedProcess process = start("echo still starting; sleep 60")) {
            Processes.await(process, "it said so", Duration.ofMinutes(1), () -> process.logText().contains("starting"));
            assertThatThrownBy(() -> Processes.await(process, "ready", Duration.ofMillis(300), () -> false))
                    .isInstanceOf(ProcessFailure.class)
                    .hasMessageContaining("probe not ready within")
                    .hasMessageContaining("still starting");
        }
    }

    @Test
    void aResidentSetHasSettledOnceItStopsFalling() throws Exception {
        try (ManagedProcess process = start("sleep 60")) {
            long rss = Processes.settledRss(process);
            assertThat(rss).isEqualTo(ProcStats.rssBytes(process.pid()));
        }
    }
}
