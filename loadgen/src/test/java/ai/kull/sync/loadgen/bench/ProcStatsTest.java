package ai.kull.sync.loadgen.bench;

import org.junit.jupiter.api.Test;

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
}
