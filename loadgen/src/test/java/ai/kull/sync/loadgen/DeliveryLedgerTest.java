package ai.kull.sync.loadgen;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DeliveryLedgerTest {

    private final DeliveryLedger ledger = new DeliveryLedger();

    @Test
    void everyAcknowledgedEventMissingFromASessionOfItsUserIsLost() {
        for (long seq = 1; seq <= 5; seq++) {
            ledger.acknowledged("u1", seq);
        }
        DeliveryLedger.Received phone = new DeliveryLedger.Received("u1");
        DeliveryLedger.Received laptop = new DeliveryLedger.Received("u1");
        for (long seq : new long[] {1, 2, 3, 4, 5}) {
            ledger.received(phone, "u1", seq);
        }
        ledger.received(laptop, "u1", 1);
        ledger.received(laptop, "u1", 4);

        assertThat(ledger.lost(List.of(phone, laptop))).isEqualTo(3);
        assertThat(ledger.delivered()).isEqualTo(7);
        assertThat(ledger.acknowledged()).isEqualTo(5);
        // Which ones, for the report: the laptop (session 1) missed 2, 3 and 5.
        assertThat(ledger.lostSample(List.of(phone, laptop), 2)).containsExactly("u1#2 (session 1)", "u1#3 (session 1)");
    }

    @Test
    void aSecondCopyIsADuplicateAndNotADelivery() {
        DeliveryLedger.Received session = new DeliveryLedger.Received("u1");
        assertThat(ledger.received(session, "u1", 1)).isTrue();
        assertThat(ledger.received(session, "u1", 1)).isFalse();
        assertThat(ledger.duplicates()).isEqualTo(1);
        assertThat(ledger.delivered()).isEqualTo(1);
    }

    @Test
    void anEarlierSequenceAfterALaterOneIsOutOfOrder() {
        DeliveryLedger.Received session = new DeliveryLedger.Received("u1");
        ledger.received(session, "u1", 2);
        ledger.received(session, "u1", 1);
        ledger.received(session, "u1", 3);
        assertThat(ledger.outOfOrder()).isEqualTo(1);
        assertThat(ledger.duplicates()).isZero();
    }

    @Test
    void anotherUsersEventIsMisroutedAndNotCounted() {
        ledger.acknowledged("u2", 1);
        DeliveryLedger.Received session = new DeliveryLedger.Received("u1");
        assertThat(ledger.received(session, "u2", 1)).isFalse();
        assertThat(ledger.misrouted()).isEqualTo(1);
        assertThat(ledger.delivered()).isZero();
        assertThat(ledger.lost(List.of(session))).isZero();
    }
}
