package io.nexus.core.internal;

import io.nexus.core.lifecycle.NexusComponent;
import io.nexus.core.lifecycle.NexusContext;
import io.nexus.core.notification.NotificationHub;
import io.nexus.core.projection.Projection;
import io.nexus.core.projection.ProjectionOptions;
import io.nexus.core.projection.ProjectionProcessor;

/** Runs one projection's processor, built from the application's ports and the projection's options. Not part of the API. */
public final class ProjectionComponent implements NexusComponent, Lifecycle.Wrapper {

    private final ProjectionProcessor processor;

    private ProjectionComponent(ProjectionProcessor processor) {
        this.processor = processor;
    }

    /**
     * The processor of {@code projection} on {@code context}'s store, codec, checkpoints, dead letters, clock
     * and meters, told of every applied event through {@code hub} when the options ask for notifications.
     */
    public static ProjectionComponent create(Projection projection, ProjectionOptions options, NexusContext context,
                                             NotificationHub hub) {
        ProjectionProcessor.Builder builder = ProjectionProcessor.builder(projection, context);
        options.mode().ifPresent(builder::mode);
        options.retry().ifPresent(builder::retry);
        options.batchSize().ifPresent(builder::batchSize);
        options.pollInterval().ifPresent(builder::pollInterval);
        options.stallThreshold().ifPresent(builder::stallThreshold);
        options.scheduler().ifPresent(builder::scheduler);
        if (options.wantsNotifications()) {
            builder.listener(hub);
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
    }

    @Override
    public void close() {
        processor.close();
    }
}
