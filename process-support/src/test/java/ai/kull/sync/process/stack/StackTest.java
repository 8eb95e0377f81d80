package ai.kull.sync.process.stack;

import ai.kull.sync.process.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Supervision with stand-in processes ({@link FakeApp}): one dies, is reported, the rest keep running, it comes back. */
class StackTest {

    @TempDir
    Path dir;

    private static AppLaunch fake(String name, AppLaunch.Kind kind, int port) {
        return new AppLaunch(name, kind, port, "32m",
                List.of("-cp", System.getProperty("java.class.path"), FakeApp.class.getName()))
                .env(kind == AppLaunch.Kind.BROKER ? "UNUSED" : "HTTP_PORT", String.valueOf(port));
    }

    @Test
    void aKilledProcessIsReportedTheRestKeepRunningAndARestartBringsItBackOnItsPort() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        List<Integer> ports = FreePorts.take(3);
        try (Stack stack = new Stack(dir, Duration.ofSeconds(60), events::add)) {
            Stack.Member broker = stack.start(fake("kafka", AppLaunch.Kind.BROKER, ports.get(0)));
            stack.awaitReady(List.of(broker));
            Stack.Member a = stack.start(fake("gateway-a", AppLaunch.Kind.GATEWAY, ports.get(1)).env("SETTING", "kept"));
            Stack.Member b = stack.start(fake("gateway-b", AppLaunch.Kind.GATEWAY, ports.get(2)));
            stack.awaitReady(List.of(a, b));
            long firstPid = a.process().pid();

            stack.kill("gateway-a");

            assertThat(a.process().isAlive()).isFalse();
            awaitEvent(events, "STACK_EXITED gateway-a code=137");
            assertThat(b.process().isAlive()).isTrue();
            assertThat(broker.process().isAlive()).isTrue();
            assertThat(a.describe()).containsEntry("alive", false).containsEntry("name", "gateway-a");

            stack.restart("gateway-a");

            assertThat(a.process().pid()).isNotEqualTo(firstPid);
            assertThat(FreePorts.listening(ports.get(1))).isTrue();
            assertThat(a.process().logText()).contains("SETTING=kept");
            assertThatThrownBy(() -> stack.kill("gateway-z")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("no process gateway-z in this stack; known: kafka, gateway-a, gateway-b");

            stack.close();
            assertThat(stack.members()).allSatisfy(member -> assertThat(member.process().isAlive()).isFalse());
            assertThat(events).as("a stop asked for is no exit to report").containsExactly("STACK_EXITED gateway-a code=137");
        }
    }

    @Test
    void theCommandsFromAnotherTerminalReachTheStackThroughItsControlPort() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        try (Stack stack = new Stack(dir, Duration.ofSeconds(60), event -> { })) {
            Stack.Member a = stack.start(fake("gateway-a", AppLaunch.Kind.GATEWAY, FreePorts.take()));
            stack.awaitReady(List.of(a));
            HttpServer control = StackControl.serve(stack, (name, port, env) -> {
                Stack.Member added = stack.start(fake(name, AppLaunch.Kind.GATEWAY, port).env(env));
                stack.awaitReady(List.of(added));
                return added;
            }, stack::close);
            Files.writeString(dir.resolve(StackControl.PORT_FILE), String.valueOf(control.getAddress().getPort()));
            try {
                assertThat(send(out, "status")).isZero();
                assertThat(printed.toString(StandardCharsets.UTF_8)).containsPattern("gateway-a +up +pid " + a.process().pid());

                assertThat(send(out, "kill", "gateway-a")).isZero();
                assertThat(printed.toString(StandardCharsets.UTF_8)).contains("\"name\":\"gateway-a\"", "\"alive\":false");
                assertThat(a.process().isAlive()).isFalse();
                assertThat(send(out, "restart", "gateway-z")).as("an unknown name").isEqualTo(1);

                assertThat(send(out, "add-gateway", "gateway-b", "--env", "SETTING=added")).isZero();
                assertThat(stack.member("gateway-b").process().logText()).contains("SETTING=added");
                assertThatThrownBy(() -> send(out, "kill")).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("stack kill NAME");
            } finally {
                control.stop(0);
            }
            assertThat(send(out, "status")).as("nothing answers any more").isEqualTo(1);
        }
    }

    private int send(PrintStream out, String... args) throws Exception {
        List<String> arguments = new ArrayList<>(List.of(args).subList(1, args.length));
        arguments.addAll(List.of("--run-dir", dir.toString()));
        return StackControl.send(dir, args[0], arguments, out);
    }

    @Test
    void ctrlCInATerminalReachesOnlyTheLauncher() {
        assertThat(Stack.ignoringCtrlC(List.of("java", "-jar", "app.jar")))
                .containsExactly("sh", "-c", "trap '' INT; exec \"$@\"", "stack", "java", "-jar", "app.jar");
    }

    private static void awaitEvent(List<String> events, String event) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!events.contains(event)) {
            assertThat(System.nanoTime()).as("%s reported; so far %s", event, events).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
