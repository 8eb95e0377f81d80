package ai.kull.sync.loadgen;

import ai.kull.sync.loadgen.charts.ChartPage;
import ai.kull.sync.loadgen.charts.LoadCharts;
import ai.kull.sync.loadgen.report.ReportMerge;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code merge REPORT... --out merged.json [--charts DIR] [--allow-missing]}: the workers' reports (JSON files, or
 * the logs of a Job's pods) as one report ({@link ReportMerge}), printed as the final table and, with
 * {@code --charts}, drawn as {@code DIR/load-test.html} and its PNGs.
 * <p>
 * {@code charts --report report.json --out DIR} draws one run's or a merged report; {@code charts --page page.json
 * --out DIR [--name NAME]} draws a {@link ChartPage} written as JSON (the benchmark's charts).
 */
final class ReportCommands {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportCommands() {
    }

    /** @return the exit code: 0, or 2 with the reason on stderr when the input is wrong */
    static int run(String command, String[] args) throws Exception {
        int firstFlag = 0;
        while (firstFlag < args.length && !args[firstFlag].startsWith("--")) {
            firstFlag++;
        }
        List<Path> files = Arrays.stream(args, 0, firstFlag).map(Path::of).toList();
        Flags flags = new Flags(Arrays.copyOfRange(args, firstFlag, args.length));
        try {
            return command.equals("merge") ? merge(files, flags) : charts(flags);
        } catch (IllegalArgumentException refused) {
            System.err.println("loadgen " + command + ": " + refused.getMessage());
            return 2;
        }
    }

    private static int merge(List<Path> files, Flags flags) throws Exception {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("usage: merge REPORT... --out merged.json [--charts DIR] [--allow-missing]");
        }
        List<JsonNode> reports = new ArrayList<>();
        for (Path file : files) {
            reports.add(ReportMerge.read(file));
        }
        Map<String, Object> merged = ReportMerge.merge(reports, flags.flag("allow-missing"));
        Report.print(merged);
        String out = flags.string("out", null);
        if (out != null) {
            write(Path.of(out), merged);
        }
        String charts = flags.string("charts", null);
        if (charts != null) {
            print(LoadCharts.page(JSON.valueToTree(merged)).write(Path.of(charts), "load-test"));
        }
        return 0;
    }

    private static int charts(Flags flags) throws Exception {
        Path out = Path.of(flags.string("out", "charts"));
        String report = flags.string("report", null);
        String page = flags.string("page", null);
        if ((report == null) == (page == null)) {
            throw new IllegalArgumentException("usage: charts --report report.json | --page page.json  --out DIR [--name NAME]");
        }
        ChartPage charts = report != null ? LoadCharts.page(ReportMerge.read(Path.of(report)))
                : ChartPage.read(Path.of(page));
        print(charts.write(out, flags.string("name", report != null ? "load-test" : "charts")));
        return 0;
    }

    private static void write(Path path, Object value) throws Exception {
        if (path.getParent() != null) {
            Files.createDirectories(path.getParent());
        }
        JSON.writeValue(path.toFile(), value);
    }

    private static void print(List<Path> written) {
        written.forEach(file -> System.out.println("wrote " + file));
    }
}
