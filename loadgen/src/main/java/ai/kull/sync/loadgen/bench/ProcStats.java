package ai.kull.sync.loadgen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory facts the kernel reports (Linux /proc): a process's resident set, and the memory of all TCP
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

    /** Bytes held by all TCP sockets of this network namespace (sockstat counts pages). */
    static long tcpMemBytes() throws IOException {
        return tcpMemPages(Files.readString(Path.of("/proc/net/sockstat"))) * pageSize();
    }

    private static long pageSize() {
        String size = BenchMain.output(Path.of("/"), "getconf", "PAGESIZE");
        return size.matches("\\d+") ? Long.parseLong(size) : 4096;
    }
}
