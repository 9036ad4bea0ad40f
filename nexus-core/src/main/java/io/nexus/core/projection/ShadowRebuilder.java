package io.nexus.core.projection;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Runs at most one shadow instance of a projection beside the serving one, on its own tracker
 * (consumer {@code "<name>#rebuild"}), and switches it in. Lifecycle calls are serialized by the
 * processor; none of them holds the processing lock while stopping or starting a tracker.
 */
final class ShadowRebuilder {

    private static final Logger log = LoggerFactory.getLogger(ProjectionProcessor.class);

    /** Switches {@code shadow} in as the serving instance; called with the processor's lifecycle serialized. */
    interface Promotion {
        void promote(ProjectionInstance shadow);
    }

    private final ProcessorSettings settings;
    private final Object lifecycle;
    private final Promotion promotion;
    private volatile @Nullable ProjectionInstance shadow;
    private volatile boolean switchWhenCaughtUp;

    ShadowRebuilder(ProcessorSettings settings, Object lifecycle, Promotion promotion) {
        this.settings = settings;
        this.lifecycle = lifecycle;
        this.promotion = promotion;
    }

    String consumer() {
        return settings.name() + "#rebuild";
    }

    /** Lifecycle held. Starts a shadow of {@code replacement} from {@code fromPosition}. */
    ProjectionInstance begin(Projection replacement, long fromPosition) {
        if (shadow != null) {
            throw new IllegalStateException("A rebuild of projection '" + settings.name()
                    + "' is already in progress; switch it in or cancel it first");
        }
        clearLeftovers();
        long start = Math.max(1, fromPosition);
        ProjectionInstance instance = new ProjectionInstance(settings, replacement, consumer(), false, false, start);
        instance.tracker().resetTo(start - 1);
        settings.lock().lock();
        try {
            instance.restore();
        } finally {
            settings.lock().unlock();
        }
        instance.afterBatch(() -> {
            if (switchWhenCaughtUp && caughtUp(instance)) {
                settings.scheduler().schedule(() -> promoteWhenCaughtUp(instance), Duration.ZERO);
            }
        });
        switchWhenCaughtUp = false;
        shadow = instance;
        try {
            instance.tracker().start(instance);
        } catch (RuntimeException e) {
            shadow = null;
            clearLeftovers();
            throw e;
        }
        return instance;
    }

    boolean isCurrent(Object token) {
        return token != null && shadow == token;
    }

    RebuildProgress progress(Object token) {
        ProjectionInstance instance = requireCurrent(token);
        long head = settings.store().headPosition();
        long done = Math.max(0, instance.tracker().position() - instance.startPosition + 1);
        long total = Math.max(done, head - instance.startPosition + 1);
        Duration elapsed = Duration.between(instance.startedAt, settings.clock().instant());
        double seconds = elapsed.toNanos() / 1e9;
        return new RebuildProgress(done, total, seconds > 0 ? done / seconds : 0, elapsed, caughtUp(instance));
    }

    /** Lifecycle held. */
    void switchOver(Object token) {
        ProjectionInstance instance = requireCurrent(token);
        if (!caughtUp(instance)) {
            throw new IllegalStateException("The rebuild of projection '" + settings.name() + "' is at position "
                    + instance.tracker().position() + " of head " + settings.store().headPosition()
                    + "; wait until it has caught up (ShadowRebuild.progress().caughtUp())");
        }
        switchIn(instance);
    }

    void switchWhenCaughtUp(Object token) {
        ProjectionInstance instance = requireCurrent(token);
        switchWhenCaughtUp = true;
        settings.scheduler().schedule(() -> promoteWhenCaughtUp(instance), Duration.ZERO);
    }

    private void promoteWhenCaughtUp(ProjectionInstance instance) {
        synchronized (lifecycle) {
            if (shadow == instance && switchWhenCaughtUp && caughtUp(instance)) {
                switchIn(instance);
            }
        }
    }

    /** Lifecycle held. */
    private void switchIn(ProjectionInstance instance) {
        instance.tracker().stop();
        shadow = null;
        switchWhenCaughtUp = false;
        promotion.promote(instance);
        settings.checkpoints().reset(consumer());
        log.info("Projection '{}' switched to its rebuilt instance at position {}", settings.name(), instance.passed());
    }

    /** Lifecycle held. Abandons the shadow {@code token} (any, when null); harmless when there is none. */
    void cancel(@Nullable Object token) {
        ProjectionInstance instance = shadow;
        if (instance == null || (token != null && instance != token)) {
            return;
        }
        instance.tracker().stop();
        settings.lock().lock();
        try {
            instance.parking.cancelRetries();
        } finally {
            settings.lock().unlock();
        }
        shadow = null;
        switchWhenCaughtUp = false;
        clearLeftovers();
    }

    private void clearLeftovers() {
        settings.checkpoints().reset(consumer());
        settings.deadLetters().list(consumer()).forEach(letter -> settings.deadLetters().remove(letter.id()));
    }

    /**
     * Counts the batch in progress as done: the after-batch hook runs before the tracker records the batch's
     * position, and a switch asked for then would otherwise wait for an append that may never come.
     */
    private boolean caughtUp(ProjectionInstance instance) {
        return instance.passed() >= settings.store().headPosition();
    }

    private ProjectionInstance requireCurrent(Object token) {
        ProjectionInstance instance = shadow;
        if (instance == null || instance != token) {
            throw new IllegalStateException("This rebuild of projection '" + settings.name() + "' is over (switched in, "
                    + "cancelled, or stopped with the processor); start a new one with rebuild()");
        }
        return instance;
    }
}
