package io.nexus.opensearch;

import io.nexus.core.event.EventEnvelope;
import io.nexus.core.projection.Projection;
import io.nexus.core.projection.ProjectionProcessor;
import io.nexus.core.projection.ShadowRebuild;
import io.nexus.core.serialization.EventCodec;
import io.nexus.core.store.ReadAll;
import io.nexus.core.tracking.LogTracker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A projection that keeps one document per aggregate (or per key the user chooses) in an
 * {@link OpenSearchReadModel}. The user supplies the {@link DocumentMapper}; Nexus reads the current
 * document, applies the event, and writes the result with the event's aggregate version as the external
 * version, so a redelivered or out-of-order event never regresses a document. Run it with the core's
 * {@code ProjectionProcessor}: retries, dead letters (a {@link DocumentRejectedException} carries
 * OpenSearch's reason) and checkpoints come from there.
 *
 * <p>{@link #rebuild} fills a new index generation from the event store's global log in bulk requests
 * while the current generation serves queries, then swaps the alias. Thread-safe for one processor.
 *
 * @param <D> the document type
 */
public final class OpenSearchProjection<D> implements Projection {

    private final String name;
    private final Set<String> eventTypes;
    private final OpenSearchReadModel<D> readModel;
    private final DocumentMapper<D> mapper;
    private final Function<EventEnvelope, String> documentId;

    private OpenSearchProjection(String name, Set<String> eventTypes, OpenSearchReadModel<D> readModel, DocumentMapper<D> mapper,
                                 Function<EventEnvelope, String> documentId) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, but was '" + name + "'");
        }
        if (eventTypes == null || eventTypes.isEmpty()) {
            throw new IllegalArgumentException("eventTypes must name at least one event type");
        }
        this.name = name;
        this.eventTypes = Set.copyOf(eventTypes);
        this.readModel = Objects.requireNonNull(readModel, "readModel");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.documentId = Objects.requireNonNull(documentId, "documentId");
    }

    /** A projection keyed by aggregate (stream) id. */
    public static <D> OpenSearchProjection<D> perAggregate(String name, Set<String> eventTypes, OpenSearchReadModel<D> readModel,
                                                           DocumentMapper<D> mapper) {
        return new OpenSearchProjection<>(name, eventTypes, readModel, mapper, EventEnvelope::streamId);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<String> eventTypes() {
        return eventTypes;
    }

    public OpenSearchReadModel<D> readModel() {
        return readModel;
    }

    /**
     * Applies one event: skipped if the stored document already reflects this version or a later one.
     *
     * @throws DocumentRejectedException      if OpenSearch refuses the document (permanent: dead-letter it)
     * @throws OpenSearchUnavailableException if OpenSearch cannot be reached (transient: retry)
     */
    @Override
    public void handle(Object event, EventEnvelope envelope) {
        String id = documentId.apply(envelope);
        Optional<Versioned<D>> current = readModel.get(id);
        if (current.isPresent() && current.get().version() >= envelope.version()) {
            return;
        }
        D next = mapper.apply(current.map(Versioned::document).orElse(null), event, envelope);
        if (next == null) {
            readModel.delete(id, envelope.version());
        } else {
            readModel.put(id, envelope.version(), next);
        }
    }

    /**
     * Rebuilds the read model while {@code processor} (which runs this projection) keeps serving: a new
     * index generation is filled by a replacement projection that the processor runs as a shadow from
     * position zero, with its own checkpoint and retries. {@link IndexRebuild#complete()} switches the
     * processor to the replacement once it has caught up and then moves the alias atomically; no event is
     * lost or applied out of order across the switch, because the processor makes it between two events.
     */
    public IndexRebuild rebuildLive(ProjectionProcessor processor) {
        OpenSearchReadModel<D>.Rebuild generation = readModel.beginRebuild();
        OpenSearchProjection<D> replacement = new OpenSearchProjection<>(name, eventTypes, readModel.targeting(generation.index()),
                mapper, documentId);
        try {
            return new IndexRebuild(processor.rebuild(replacement, 0), generation);
        } catch (RuntimeException e) {
            generation.abort();
            throw e;
        }
    }

    /** A live rebuild in progress; see {@link #rebuildLive}. */
    public static final class IndexRebuild {
        private final ShadowRebuild shadow;
        private final OpenSearchReadModel<?>.Rebuild generation;

        private IndexRebuild(ShadowRebuild shadow, OpenSearchReadModel<?>.Rebuild generation) {
            this.shadow = shadow;
            this.generation = generation;
        }

        /** Events done of the total, the rate, and whether the new generation has caught up. */
        public io.nexus.core.projection.RebuildProgress progress() {
            return shadow.progress();
        }

        /** The new generation's index. */
        public String index() {
            return generation.index();
        }

        /**
         * Switches the processor to the rebuilt projection and moves the alias to the new generation.
         *
         * @throws IllegalStateException if the rebuild has not caught up with the head yet
         */
        public void complete() {
            shadow.switchOver();
            generation.complete();
        }

        /** Deletes the previous generation once searches started before {@link #complete()} are done. */
        public void deletePrevious() {
            generation.deletePrevious();
        }

        /** Abandons the rebuild and drops the new generation; the current one keeps serving. */
        public void cancel() {
            shadow.cancel();
            generation.abort();
        }
    }

    /** Progress of a rebuild: events read of the total in the log when it started, and the rate so far. */
    public record RebuildProgress(long eventsDone, long eventsTotal, long documentsWritten, double eventsPerSecond) {
    }

    /**
     * Rebuilds the read model from zero into a new index generation while the current one keeps serving
     * queries, then swaps the alias atomically: the fast, bulk path for a projection whose processor is
     * stopped (an offline rebuild, or a new read model). With a running processor use
     * {@link #rebuildLive}, which hands the switch to the processor so no event is missed. Events are read
     * from {@code log} through {@link LogTracker#replay} (the one way Nexus reads the log) in pages of {@code batchSize},
     * applied per document in memory, and written with one bulk request per page. Documents OpenSearch
     * rejects abort the rebuild (the old generation stays in place) with a {@link DocumentRejectedException}
     * naming them.
     *
     * @return the final progress
     */
    public RebuildProgress rebuildOffline(ReadAll log, EventCodec codec, int batchSize, Consumer<RebuildProgress> progress) {
        if (batchSize < 1 || batchSize > 10_000) {
            throw new IllegalArgumentException("batchSize must be 1..10000, but was " + batchSize);
        }
        OpenSearchReadModel<D>.Rebuild rebuild = readModel.beginRebuild();
        long started = System.nanoTime();
        long total = log.headPosition();
        long[] done = {0};
        long[] written = {0};
        try {
            LogTracker.replay(log, 0, batchSize, page -> {
                Map<String, OpenSearchReadModel.Write<D>> touched = new LinkedHashMap<>();
                for (EventEnvelope envelope : page) {
                    done[0]++;
                    if (!eventTypes.contains(envelope.eventType())) {
                        continue;
                    }
                    String id = documentId.apply(envelope);
                    // the document as this rebuild left it so far (a null document: deleted), else as stored
                    OpenSearchReadModel.Write<D> pending = touched.get(id);
                    Optional<Versioned<D>> stored = pending == null ? rebuild.get(id) : Optional.empty();
                    long version = pending != null ? pending.version() : stored.map(Versioned::version).orElse(0L);
                    D document = pending != null ? pending.document() : stored.map(Versioned::document).orElse(null);
                    if (version >= envelope.version()) {
                        continue;
                    }
                    io.nexus.core.serialization.DecodedEvent decoded = codec.decodeWithEnvelope(envelope);
                    D next = mapper.apply(document, decoded.event(), decoded.envelope());
                    touched.put(id, new OpenSearchReadModel.Write<>(id, envelope.version(), next));
                }
                List<OpenSearchReadModel.Write<D>> writes = new ArrayList<>(touched.size());
                writes.addAll(touched.values());
                OpenSearchReadModel.BulkResult result = rebuild.bulk(writes);
                if (!result.rejected().isEmpty()) {
                    throw new DocumentRejectedException(rebuild.index(), String.join(",", result.rejected().keySet()),
                            "rebuild stopped, the current generation keeps serving: " + result.rejected());
                }
                written[0] += result.written();
                progress.accept(new RebuildProgress(done[0], Math.max(total, done[0]), written[0], rate(done[0], started)));
                return LogTracker.NO_CHECKPOINT;
            });
        } catch (RuntimeException e) {
            rebuild.abort();
            throw e;
        } catch (Exception e) {
            rebuild.abort();
            throw new IllegalStateException("rebuild of '" + name + "' stopped: " + e.getMessage(), e);
        }
        rebuild.complete();
        rebuild.deletePrevious();
        RebuildProgress last = new RebuildProgress(done[0], Math.max(total, done[0]), written[0], rate(done[0], started));
        progress.accept(last);
        return last;
    }

    private static double rate(long done, long startedNanos) {
        double seconds = Math.max(1e-9, Duration.ofNanos(System.nanoTime() - startedNanos).toNanos() / 1e9);
        return done / seconds;
    }
}
