package ai.kull.sync.loadgen.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcStatsTest {

    @Test
    void theResidentSetIsTheVmRssLineInKiB() {
        String status = """
                Name:\tjava
                Umask:\t0022
                State:\tS (sleeping)
                VmPeak:\t 4395520 kB
                VmHWM:\t  412300 kB
                VmRSS:\t  398104 kB
                RssAnon:\t  371200 kB
                Threads:\t47
                """;
        assertThat(ProcStats.vmRssKiB(status)).isEqualTo(398_104);
        assertThatThrownBy(() -> ProcStats.vmRssKiB("Name:\tkthreadd\n")).hasMessageContaining("VmRSS");
    }

    @Test
    void tcpSocketMemoryIsTheMemFieldOfTheTcpLineInPages() {
        String sockstat = """
                sockets: used 40123
                TCP: inuse 40010 orphan 0 tw 3 alloc 40012 mem 1533
                UDP: inuse 0 mem 7
                UDPLITE: inuse 0
                RAW: inuse 0
                FRAG: inuse 0 memory 0
                """;
        assertThat(ProcStats.tcpMemPages(sockstat)).isEqualTo(1533);
        assertThatThrownBy(() -> ProcStats.tcpMemPages("TCP: inuse 1 orphan 0\n")).hasMessageContaining("no mem field");
    }

    @Test
    void aResidentSetIsSettledWhenNoneOfTheLastReadingsFellBelowTheFirstBeyondNoise() {
        long mib = 1024 * 1024;
        assertThat(ProcStats.settled(List.of(500 * mib, 500 * mib), 3)).isFalse();
        assertThat(ProcStats.settled(List.of(500 * mib, 400 * mib, 400 * mib, 400 * mib), 3)).isTrue();
        assertThat(ProcStats.settled(List.of(500 * mib, 500 * mib, 450 * mib), 3)).isFalse();
        assertThat(ProcStats.settled(List.of(500 * mib, 500 * mib - 1000, 501 * mib), 3)).isTrue();
    }

    @Test
    void threadsAreCountedByTheNameTheKernelKnows() throws Exception {
        long pid = ProcessHandle.current().pid();
        assertThat(ProcStats.threadsNamed(pid, "probe-thread")).isZero();
        CountDownLatch end = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(2);
        List<Thread> threads = List.of(probe("probe-thread-1", started, end), probe("probe-thread-22", started, end));
        started.await();
        assertThat(ProcStats.threadsNamed(pid, "probe-thread")).isEqualTo(2);
        end.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private static Thread probe(String name, CountDownLatch started, CountDownLatch end) {
        Thread thread = new Thread(() -> {
            started.countDown();
            try {
                end.await();
            } catch (InterruptedException ignored) {
                // ends either way
            }
        }, name);
        thread.start();
        return thread;
    }
}
