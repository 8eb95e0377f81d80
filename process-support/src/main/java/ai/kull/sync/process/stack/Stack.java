package ai.kull.sync.process.stack;

import ai.kull.sync.process.ManagedProcess;
import ai.kull.sync.process.ProcessFailure;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A running stack: the processes started from their {@link AppLaunch}, supervised. A process that exits is
 * reported ({@code STACK_EXITED <name> code=<code>}) and the others keep running; any one can be killed, stopped
 * or restarted by name, and more gateways added. {@link #close()} stops the services first and the broker last.
 */
public final class Stack implements AutoCloseable {

    /** How long a stopped process may take to drain and exit before it is killed. */
    static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final Path logs;
    private final Duration startTimeout;
    private final Consumer<String> events;
    private final Map<String, Member> members = new LinkedHashMap<>();
    private volatile boolean closing;

    /** One process of the stack: how it starts, and its current (or last) run. */
    public static final class Member {
        private final AppLaunch launch;
        private final Path log;
        private volatile ManagedProcess process;
        /** Being killed or stopped: a balancer sends it no new connections (a terminating pod leaves the Service). */
        private volatile boolean leaving;

        private Member(AppLaunch launch, Path log) {
            this.launch = launch;
            this.log = log;
        }

        public AppLaunch launch() {
            return launch;
        }

        public ManagedProcess process() {
            return process;
        }

        /** name, kind, port, url, pid, alive, log: what the ready line and the status say about it. */
        public Map<String, Object> describe() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", launch.name());
            out.put("kind", launch.kind().name().toLowerCase());
            out.put("port", launch.port());
            out.put("url", launch.url());
            out.put("pid", process == null ? null : process.pid());
            out.put("alive", process != null && process.isAlive());
            out.put("log", log.toString());
            return out;
        }
    }

    /** Logs go to {@code logs/<name>.log}; {@code events} receives the {@code STACK_EXITED} lines. */
    public Stack(Path logs, Duration startTimeout, Consumer<String> events) {
        this.logs = logs;
        this.startTimeout = startTimeout;
        this.events = events;
    }

    /** Starts {@code launch} as a new member (not yet ready: {@link #awaitReady}). */
    public Member start(AppLaunch launch) throws IOException {
        Member member;
        synchronized (members) {
            if (members.containsKey(launch.name())) {
                throw new IllegalArgumentException(launch.name() + " is already part of the stack");
            }
            member = new Member(launch, logs.resolve(launch.name() + ".log"));
            members.put(launch.name(), member);
        }
        run(member);
        return member;
    }

    /** Waits until every given member is ready (one deadline each); fails with the log of the first that is not. */
    public void awaitReady(List<Member> started) {
        for (Member member : started) {
            member.launch.awaitReady(member.process, startTimeout);
        }
    }

    /** The member named {@code name}, or an {@link IllegalArgumentException} listing the known names. */
    public Member member(String name) {
        synchronized (members) {
            Member member = members.get(name);
            if (member == null) {
                throw new IllegalArgumentException("no process " + name + " in this stack; known: "
                        + String.join(", ", members.keySet()));
            }
            return member;
        }
    }

    public List<Member> members() {
        synchronized (members) {
            return List.copyOf(members.values());
        }
    }

    /** The ports of the gateways that take new connections: running, and neither being killed nor stopped. */
    public List<Integer> gatewaysInRotation() {
        return members().stream()
                .filter(m -> m.launch.kind() == AppLaunch.Kind.GATEWAY && !m.leaving && m.process.isAlive())
                .map(m -> m.launch.port())
                .toList();
    }

    /** SIGKILL: the process vanishes without closing anything, like a crashed node. */
    public Member kill(String name) {
        Member member = member(name);
        synchronized (member) {
            member.leaving = true;
            member.process.kill();
        }
        return member;
    }

    /** SIGTERM (a gateway drains its sessions), SIGKILL after {@link #STOP_GRACE}. */
    public Member stop(String name) {
        Member member = member(name);
        synchronized (member) {
            member.leaving = true;
            member.process.stop(STOP_GRACE);
        }
        return member;
    }

    /** Stops it if still running, starts it again with the same command, port and settings, waits until ready. */
    public Member restart(String name) throws IOException {
        Member member = member(name);
        synchronized (member) {
            member.leaving = true;
            member.process.stop(STOP_GRACE);
            run(member);
            member.launch.awaitReady(member.process, startTimeout);
        }
        return member;
    }

    private void run(Member member) throws IOException {
        if (closing) {
            throw new ProcessFailure("the stack is stopping");
        }
        ManagedProcess process = ManagedProcess.builder(member.launch.name(), member.log,
                ignoringCtrlC(member.launch.command())).env(member.launch.env()).start();
        member.process = process;
        member.leaving = false;
        process.process().onExit().thenAccept(exited -> {
            if (!closing) {
                events.accept("STACK_EXITED " + member.launch.name() + " code=" + exited.exitValue());
            }
        });
    }

    /**
     * {@code command} with SIGINT ignored (inherited across exec; the JVM then installs no handler for it): Ctrl-C
     * in a terminal reaches the whole process group, but only the launcher should act on it, so the broker outlives
     * the services as {@link #close()} orders.
     */
    static List<String> ignoringCtrlC(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c", "trap '' INT; exec \"$@\"", "stack"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Services and gateways first (SIGTERM, all at once, so they flush and leave the broker cleanly), broker last. */
    @Override
    public void close() {
        closing = true;
        List<Member> all = members();
        List<Member> brokers = all.stream().filter(m -> m.launch.kind() == AppLaunch.Kind.BROKER).toList();
        List<Member> others = new ArrayList<>(all);
        others.removeAll(brokers);
        stopTogether(others);
        stopTogether(brokers);
    }

    private static void stopTogether(List<Member> group) {
        for (Member member : group) {
            if (member.process != null && member.process.isAlive()) {
                member.process.process().destroy();
            }
        }
        for (Member member : group) {
            if (member.process != null) {
                member.process.stop(STOP_GRACE);
            }
        }
    }
}
