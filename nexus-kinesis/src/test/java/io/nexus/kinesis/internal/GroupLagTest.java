package io.nexus.kinesis.internal;

import io.nexus.core.event.EventEnvelope;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How a Kinesis consumer group counts its lag in events from positions and shard answers (docs/observability.md). */
class GroupLagTest {

    private final AtomicLong published = new AtomicLong(EventEnvelope.NO_POSITION);
    private final GroupLag lag = new GroupLag(published::get);

    @Test
    void recordsInHandCountFromTheOldestToTheNewestPublishedAndCaughtUpShardsCountNothing() {
        published.set(10);
        lag.fetched("a", new long[]{3}, 0L);
        lag.acknowledged("a");
        assertEquals(0, lag.lag(), "shard a is caught up at position 3, which is old but not lag");

        lag.fetched("b", new long[]{7, 8}, 0L);
        assertEquals(4, lag.lag(), "positions 7..10");
        lag.acknowledged("b");
        assertEquals(3, lag.lag(), "positions 8..10");
        lag.acknowledged("b");
        assertEquals(0, lag.lag());
    }

    @Test
    void aShardBehindItsTipWaitsFromThePositionAfterItsLastAcknowledged() {
        published.set(20);
        lag.fetched("a", new long[]{4, 5}, 1_000L);
        lag.acknowledged("a");
        lag.acknowledged("a");
        assertEquals(15, lag.lag(), "nothing in hand, but behind: positions 6..20");
        lag.fetched("a", new long[0], 0L);
        assertEquals(0, lag.lag(), "caught up");
    }

    @Test
    void recordsWithoutPositionsCountOnlyWhileInHand() {
        lag.fetched("a", new long[]{EventEnvelope.NO_POSITION, EventEnvelope.NO_POSITION}, 0L);
        assertEquals(2, lag.lag());
        lag.acknowledged("a");
        assertEquals(1, lag.lag());
        lag.released("a");
        assertEquals(0, lag.lag(), "a shard no longer read here counts nothing");
    }

    @Test
    void withoutAPublisherInTheProcessTheNewestIsTheNewestAShardReturned() {
        lag.fetched("a", new long[]{5, 6, 9}, 0L);
        assertEquals(5, lag.lag(), "positions 5..9, the newest any shard returned");
    }
}
