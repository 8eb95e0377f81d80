package ai.kull.sync.loadgen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Facts the kernel reports (Linux /proc): a process's resident set and threads, and the memory of all TCP
 * sockets. The parsers take the files' text, so they are tested without a kernel.
 */
final class ProcStats {

    private ProcStats() {
    }

    /** {@code VmRSS} of a /proc/&lt;pid&gt;/status text, in KiB (the kernel writes kB, meaning KiB). */
    static long vmRssKiB(String status) {
        return status.lines().filter(line -> line.startsWith("VmRSS:")).findFirst()
                .map(line -> Long.parseLong(line.substring("VmRSS:".length()).trim().split("\\s+")[0]))
                .orElseThrow(() -> new IllegalArgumentException("no VmRSS line in the status"));
    }

    /** The {@code mem} field of the {@code TCP:} line of /proc/net/sockstat: pages held by all TCP sockets. */
    static long tcpMemPages(String sockstat) {
        String line = sockstat.lines().filter(l -> l.startsWith("TCP:")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no TCP line in sockstat"));
        String[] words = line.substring("TCP:".length()).trim().split("\\s+");
        for (int i = 0; i + 1 < words.length; i += 2) {
            if (words[i].equals("mem")) {
                return Long.parseLong(words[i + 1]);
            }
        }
        throw new IllegalArgumentException("no mem field in sockstat's TCP line: " + line);
    }

    /** A process's resident set in bytes. */
    static long rssBytes(long pid) throws IOException {
        return vmRssKiB(Files.readString(Path.of("/proc/" + pid + "/status"))) * 1024;
    }

    /** Bytes the process has written through write system calls (/proc/&lt;pid&gt;/io {@code wchar}): sockets and files. */
    static long writtenBytes(long pid) throws IOException {
        return Files.readString(Path.of("/proc/" + pid + "/io")).lines().filter(line -> line.startsWith("wchar:"))
                .findFirst().map(line -> Long.parseLong(line.substring("wchar:".length()).trim()))
                .orElseThrow(() -> new IOException("no wchar in /proc/" + pid + "/io"));
    }

    /** A fall in the resident set smaller than this is noise (a thread's stack touched, a buffer freed). */
    static final long RSS_NOISE_BYTES = 1024 * 1024;

    /** Whether the last {@code n} readings of a resident set show no fall beyond noise below the first of them. */
    static boolean settled(List<Long> readings, int n) {
        if (readings.size() < n) {
            return false;
        }
        List<Long> last = readings.subList(readings.size() - n, readings.size());
        return last.stream().allMatch(rss -> rss >= last.get(0) - RSS_NOISE_BYTES);
    }

    /**
     * How many of a process's threads have a name starting with {@code prefix} (the JVM gives each Java thread's
     * name, cut to 15 characters, to the kernel: /proc/&lt;pid&gt;/task/&lt;tid&gt;/comm).
     */
    static long threadsNamed(long pid, String prefix) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return tasks.map(task -> task.resolve("comm")).filter(comm -> {
                try {
                    return Files.readString(comm).startsWith(prefix);
                } catch (IOException ended) {
                    return false; // the thread ended while listed
                }
            }).count();
        }
    }

    /** Bytes held by all TCP sockets of this network namespace (sockstat counts pages). */
    static long tcpMemBytes() throws IOException {
        return tcpMemPages(Files.readString(Path.of("/proc/net/sockstat"))) * pageSize();
    }

    private static long pageSize() {
        String size = BenchMain.output(Path.of("/"), "getconf", "PAGESIZE");
        return size.matches("\\d+") ? Long.parseLong(size) : 4096;
    }
}
