package io.nexus.core.checkpoint;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The parent-before-child rule of sharded streams, for every reader of one (the Kinesis bus, DynamoDB
 * Streams change capture): after a split or a merge, the records of a key left in a parent shard must all
 * be handled before those in its child, so a shard is read only once each of its parents is read to its
 * end, or is no longer listed (aged out of the stream's retention, so nothing of it can be read anyway).
 *
 * <p>Immutable and thread-safe; the predicate given to {@link #isReady} is called on the caller's thread.
 */
public final class ShardLineage {

    /**
     * A shard and its parents as the stream lists it.
     *
     * @param shardId          the shard; not blank
     * @param parentId         the parent shard, {@code null} for none
     * @param adjacentParentId the other parent of a merged shard, {@code null} for none
     */
    public record Shard(String shardId, @Nullable String parentId, @Nullable String adjacentParentId) {
        public Shard {
            Checkpoint.requireText(shardId, "shardId");
        }

        /** A shard with at most one parent (every DynamoDB Streams shard). */
        public static Shard of(String shardId, @Nullable String parentId) {
            return new Shard(shardId, parentId, null);
        }
    }

    private final Map<String, Shard> byId;

    private ShardLineage(List<Shard> shards) {
        Map<String, Shard> map = new LinkedHashMap<>();
        for (Shard shard : shards) {
            map.put(Objects.requireNonNull(shard, "shard").shardId(), shard);
        }
        this.byId = map;
    }

    /** The lineage of the shards as listed now, in listing order. */
    public static ShardLineage of(List<Shard> listed) {
        return new ShardLineage(List.copyOf(Objects.requireNonNull(listed, "listed")));
    }

    /** Whether {@code shardId} is listed. */
    public boolean isListed(String shardId) {
        return byId.containsKey(shardId);
    }

    /**
     * Whether {@code shard} may be read: each of its parents is {@code null}, no longer listed, or
     * {@code finished} (read to its end by this reader).
     */
    public boolean isReady(Shard shard, Predicate<String> finished) {
        return parentDone(shard.parentId(), finished) && parentDone(shard.adjacentParentId(), finished);
    }

    private boolean parentDone(@Nullable String parentId, Predicate<String> finished) {
        return parentId == null || !byId.containsKey(parentId) || finished.test(parentId);
    }

    /**
     * The listed shards with every parent before its children (listing order otherwise kept), so that one
     * pass over them can finish a parent and go on with its children.
     */
    public List<Shard> parentsFirst() {
        List<Shard> ordered = new ArrayList<>(byId.size());
        Set<String> placed = new HashSet<>();
        for (Shard shard : byId.values()) {
            place(shard, placed, ordered);
        }
        return ordered;
    }

    private void place(Shard shard, Set<String> placed, List<Shard> ordered) {
        if (!placed.add(shard.shardId())) {
            return;
        }
        for (String parentId : new String[]{shard.parentId(), shard.adjacentParentId()}) {
            Shard parent = parentId == null ? null : byId.get(parentId);
            if (parent != null) {
                place(parent, placed, ordered);
            }
        }
        ordered.add(shard);
    }
}
