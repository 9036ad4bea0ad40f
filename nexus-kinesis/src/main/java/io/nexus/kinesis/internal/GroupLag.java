package io.nexus.kinesis.internal;

import io.nexus.core.event.EventEnvelope;
import org.jspecify.annotations.Nullable;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One consumer group's lag in events on one Kinesis stream, from what the group knows: Kinesis counts no events, but
 * every record the router publishes carries its event's global-log position ({@code globalPosition} in the
 * envelope), and every GetRecords answer says whether the shard is caught up ({@code millisBehindLatest}).
 *
 * <p>The lag is the number of global-log positions from the oldest one still waiting in a shard of this group
 * to the newest position published on the stream, both included, and 0 when no shard waits. A shard waits
 * while records it returned are not yet acknowledged (the one being handled included; the oldest waiting is
 * the first of them), or while its last answer said it is behind the tip ({@code millisBehindLatest > 0}; the
 * oldest waiting is then the position after the last one it acknowledged). A shard that is caught up and has
 * nothing in hand does not count however old its last position is, so idle shards report no lag. The newest
 * position is the highest this process published on the stream or any of its shards returned. It is never
 * below the records returned and not yet acknowledged, which are counted exactly.
 *
 * <p>What it counts beyond those: positions between the oldest waiting and the newest include events of other
 * shards already handled, events the routing rule sent to the other path, and positions the store left unused,
 * so it is an upper bound, exact for one shard with every event on the path. A record published to a shard
 * that was caught up at its last GetRecords counts from the shard's next GetRecords (at most the poll interval
 * later). Events without a position (a store that keeps no global log) count only while returned and not yet
 * acknowledged.
 *
 * <p>Thread-safe: each shard is updated by its one reader, the lag read from any thread.
 */
public final class GroupLag {

    private final LongSupplier newestPublished;
    private final AtomicLong newestSeen = new AtomicLong(EventEnvelope.NO_POSITION);
    private final Map<String, Shard> shards = new ConcurrentHashMap<>();

    /** @param newestPublished the highest position published on the stream by this process, or a negative number */
    public GroupLag(LongSupplier newestPublished) {
        this.newestPublished = newestPublished;
    }

    /**
     * A GetRecords answer (or KCL batch) of {@code shardId}: {@code positions} are its records' global positions in
     * order ({@link EventEnvelope#NO_POSITION} for a record without one or that could not be decoded).
     */
    public void fetched(String shardId, long[] positions, @Nullable Long millisBehindLatest) {
        long newest = EventEnvelope.NO_POSITION;
        for (long p : positions) {
            newest = Math.max(newest, p);
        }
        long seen = newest;
        newestSeen.accumulateAndGet(seen, Math::max);
        // millisBehindLatest is absent only from answers that are not GetRecords'; absent counts as caught up
        shards.computeIfAbsent(shardId, id -> new Shard()).fetched(positions, millisBehindLatest != null && millisBehindLatest > 0);
    }

    /** The next record of the last answer of {@code shardId} is acknowledged (handled, dead-lettered, parked or skipped). */
    public void acknowledged(String shardId) {
        Shard shard = shards.get(shardId);
        if (shard != null) {
            shard.acknowledged();
        }
    }

    /** This group no longer reads {@code shardId} here (read to its end, lease lost, stopped). */
    public void released(String shardId) {
        shards.remove(shardId);
    }

    /** The lag now; see the class notes. */
    public long lag() {
        long oldest = Long.MAX_VALUE;
        long inHand = 0;
        boolean waiting = false;
        for (Shard shard : shards.values()) {
            synchronized (shard) {
                int remaining = shard.positions.length - shard.next;
                if (remaining > 0) {
                    waiting = true;
                    inHand += remaining;
                    for (int i = shard.next; i < shard.positions.length; i++) {
                        if (shard.positions[i] >= 0) {
                            oldest = Math.min(oldest, shard.positions[i]);
                            break;
                        }
                    }
                } else if (shard.behind) {
                    waiting = true;
                    if (shard.lastAcknowledged >= 0) {
                        oldest = Math.min(oldest, shard.lastAcknowledged + 1);
                    }
                }
            }
        }
        if (!waiting) {
            return 0;
        }
        long newest = Math.max(newestPublished.getAsLong(), newestSeen.get());
        long span = oldest == Long.MAX_VALUE || newest < oldest ? 0 : newest - oldest + 1;
        return Math.max(inHand, span);
    }

    private static final class Shard {
        private long[] positions = new long[0];
        private int next;
        private boolean behind;
        private long lastAcknowledged = EventEnvelope.NO_POSITION;

        synchronized void fetched(long[] batch, boolean behindTip) {
            positions = batch;
            next = 0;
            behind = behindTip;
        }

        synchronized void acknowledged() {
            if (next < positions.length) {
                long p = positions[next++];
                if (p >= 0) {
                    lastAcknowledged = p;
                }
            }
        }
    }
}
