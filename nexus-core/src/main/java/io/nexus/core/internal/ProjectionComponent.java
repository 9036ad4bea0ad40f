package io.nexus.core.internal;

import org.jspecify.annotations.Nullable;

import java.util.Objects;
import io.nexus.core.observation.NexusMeters;

import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.deadletter.InMemoryDeadLetterQueue;
import io.nexus.core.lifecycle.NexusComponent;
import io.nexus.core.lifecycle.NexusContext;
import io.nexus.core.notification.NotificationHub;
import io.nexus.core.projection.Projection;
import io.nexus.core.projection.ProjectionOptions;
import io.nexus.core.projection.ProjectionProcessor;

/** Runs one projection's processor, built from the application's ports and the projection's options. Not part of the API. */
public final class ProjectionComponent implements NexusComponent, Lifecycle.Wrapper {

    private final ProjectionProcessor processor;
    private NexusMetrics metrics = NexusMetrics.of(null);

    private ProjectionComponent(ProjectionProcessor processor) {
        this.processor = processor;
    }

    /**
     * The processor of {@code projection} on {@code context}'s store, codec, checkpoints, dead letters, clock
     * and meters, told of every applied event through {@code hub} when the options ask for notifications.
     */
    public static ProjectionComponent create(Projection projection, ProjectionOptions options, NexusContext context,
                                             @Nullable NotificationHub hub) {
        ProjectionProcessor.Builder builder = ProjectionProcessor.builder(projection, context);
        options.mode().ifPresent(builder::mode);
        options.retry().ifPresent(builder::retry);
        options.batchSize().ifPresent(builder::batchSize);
        options.pollInterval().ifPresent(builder::pollInterval);
        options.stallThreshold().ifPresent(builder::stallThreshold);
        options.scheduler().ifPresent(builder::scheduler);
        options.standbyNotificationInterval().ifPresent(builder::standbyNotificationInterval);
        if (options.isPerInstance()) {
            // its read model lives in this process: so do its position and its dead letters
            builder.withoutLease().checkpoints(new InMemoryCheckpointStore(context.clock()))
                    .deadLetters(new InMemoryDeadLetterQueue());
        }
        if (options.wantsNotifications()) {
            // Nexus's builder refuses projections that want notifications when it has no hub
            builder.listener(Objects.requireNonNull(hub, "hub"));
        }
        return new ProjectionComponent(builder.build());
    }

    public ProjectionProcessor processor() {
        return processor;
    }

    @Override
    public Object unwrap() {
        return processor;
    }

    @Override
    public String name() {
        return processor.name();
    }

    @Override
    public void start(NexusContext context) {
        processor.start();
        metrics = NexusMetrics.of(context.meterRegistry());
        String name = processor.name();
        metrics.gauge(NexusMeters.PROJECTION_LAG_EVENTS, processor, p -> p.health().lagEvents(), "projection", name);
        metrics.gauge(NexusMeters.PROJECTION_LAG_SECONDS, processor, p -> p.health().lagTime().toNanos() / 1e9, "projection", name);
        metrics.gauge(NexusMeters.PROJECTION_DEADLETTERS_WAITING, processor, p -> p.health().deadLetters(), "projection", name);
    }

    @Override
    public void close() {
        String name = processor.name();
        for (String gauge : new String[]{NexusMeters.PROJECTION_LAG_EVENTS, NexusMeters.PROJECTION_LAG_SECONDS,
                NexusMeters.PROJECTION_DEADLETTERS_WAITING}) {
            metrics.removeGauge(gauge, "projection", name);
        }
        processor.close();
    }
}
