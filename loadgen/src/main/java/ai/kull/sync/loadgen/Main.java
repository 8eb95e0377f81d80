package ai.kull.sync.loadgen;

import ai.kull.sync.loadgen.bench.BenchMain;
import ai.kull.sync.loadgen.report.ReportMerge;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The load generator's command line. {@code Main [run] --flags} runs a load against gateways;
 * {@code bare-server} and {@code bare-consumer} are the baselines the benchmark compares the gateway with;
 * {@code watch-consumed} times a gateway reading a backlog through its metrics; {@code deep-resume} sends devices
 * away longer than the replay window and back at once ({@link DeepResumeRun}); {@code bench} runs the
 * benchmark scenarios ({@link BenchMain}, what bench/run.sh runs); {@code capacity} computes docs/capacity.md's
 * tables from a results file ({@link CapacityModel}); {@code merge} adds up the reports of a distributed run's
 * workers and {@code charts} draws a report or a chart page ({@link ReportCommands}). See the README's
 * "Load testing and benchmarks".
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("bench")) {
            System.exit(BenchMain.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length > 0 && args[0].equals("publish-bench")) {
            PublishBench.run(new Flags(Arrays.copyOfRange(args, 1, args.length)));
            System.exit(0);
        }
        if (args.length > 0 && args[0].equals("capacity")) {
            CapacityModel.run(new Flags(Arrays.copyOfRange(args, 1, args.length)));
            System.exit(0);
        }
        if (args.length > 0 && (args[0].equals("merge") || args[0].equals("charts"))) {
            System.exit(ReportCommands.run(args[0], Arrays.copyOfRange(args, 1, args.length)));
        }
        String command = args.length > 0 && !args[0].startsWith("--") ? args[0] : "run";
        Flags flags = new Flags(command.equals("run") && (args.length == 0 || args[0].startsWith("--"))
                ? args : Arrays.copyOfRange(args, 1, args.length));
        Map<String, Object> report = switch (command) {
            case "run" -> new LoadRun(flags).run();
            case "bare-server" -> BareServer.run(flags);
            case "bare-consumer" -> BareConsumer.run(flags);
            case "watch-consumed" -> BareConsumer.watchGateway(flags);
            case "deep-resume" -> new DeepResumeRun(flags).run();
            default -> throw new IllegalArgumentException("unknown command " + command
                    + " (run, bare-server, bare-consumer, watch-consumed, deep-resume, bench, capacity, merge, charts)");
        };
        if (report != null) {
            Report.print(report);
            String json = flags.string("json", null);
            if ("-".equals(json)) {
                // One line in the output (a Job pod's log), found again by merge.
                System.out.println(ReportMerge.LOG_MARKER + new ObjectMapper().writeValueAsString(report));
            } else if (json != null) {
                Path path = Path.of(json);
                if (path.getParent() != null) {
                    Files.createDirectories(path.getParent());
                }
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(path.toFile(), report);
            }
        }
        System.exit(0);
    }
}
