package ai.kull.sync.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManagedProcessTest {

    @TempDir
    Path dir;

    @Test
    void waitsForALogLineAndAnExit() throws Exception {
        try (ManagedProcess process = ManagedProcess.builder("echo", dir.resolve("echo.log"),
                List.of("sh", "-c", "echo \"hello $WHO\"; sleep 0.3; echo READY; exit 3")).env("WHO", "world").start()) {
            process.awaitLogLine("READY", Duration.ofSeconds(10));
            assertThat(process.awaitExit(Duration.ofSeconds(10))).isEqualTo(3);
            assertThat(process.tail(1)).isEqualTo("READY");
            assertThat(process.logText()).startsWith("hello world");
        }
    }

    @Test
    void aDeadlineOrAnEarlyExitFailsWithTheLastLinesOfTheLog() throws Exception {
        try (ManagedProcess hung = ManagedProcess.builder("hung", dir.resolve("hung.log"),
                List.of("sh", "-c", "echo starting; sleep 30")).start()) {
            assertThatThrownBy(() -> hung.awaitLogLine("READY", Duration.ofMillis(600)))
                    .isInstanceOf(ProcessFailure.class)
                    .hasMessageContaining("hung did not print READY within 0.6 s")
                    .hasMessageEndingWith("starting");
            assertThatThrownBy(() -> hung.awaitExit(Duration.ofMillis(300)))
                    .hasMessageContaining("still running");
            assertThat(hung.isAlive()).isFalse();
        }
        try (ManagedProcess dead = ManagedProcess.builder("dead", dir.resolve("dead.log"),
                List.of("sh", "-c", "echo boom; exit 1")).start()) {
            assertThatThrownBy(() -> dead.awaitLogLine("READY", Duration.ofSeconds(10)))
                    .hasMessageContaining("dead exited (code 1) before printing READY")
                    .hasMessageEndingWith("boom");
        }
    }
}
