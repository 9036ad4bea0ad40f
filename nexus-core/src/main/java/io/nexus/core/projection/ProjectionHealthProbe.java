package io.nexus.core.projection;

import io.nexus.core.event.EventEnvelope;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Judges a projection instance's health from what is in memory plus three cheap reads: the log's head,
 * the oldest unprocessed event and the dead-letter count. Never waits for processing.
 */
final class ProjectionHealthProbe {

    private ProjectionHealthProbe() {
    }

    static ProjectionHealth of(ProcessorSettings settings, ProjectionInstance instance, boolean running, Duration stallThreshold) {
        long head = settings.store().headPosition();
        long processed = instance.tracker().position();
        boolean standingBy = running && instance.tracker().isStandingBy();
        // the instance holding the lease reports the lag; a standing-by one's position is merely where it last stood
        long lag = standingBy ? 0 : Math.max(0, head - processed);
        Instant now = settings.clock().instant();
        Duration lagTime = Duration.ZERO;
        if (lag > 0) {
            List<EventEnvelope> oldest = settings.store().readAll(processed + 1, 1);
            if (!oldest.isEmpty() && oldest.get(0).timestamp().isBefore(now)) {
                lagTime = Duration.between(oldest.get(0).timestamp(), now);
            }
        }
        int dead = settings.deadLetters().count(instance.consumer());
        int failing = instance.parking.retrying();
        Instant lastProgressAt = instance.lastProgressAt();
        ProjectionHealth.Status status;
        if (!running || !instance.tracker().isRunning()) {
            status = ProjectionHealth.Status.STOPPED;
        } else if (standingBy) {
            status = ProjectionHealth.Status.STANDBY;
        } else if (lag > 0 && Duration.between(lastProgressAt, now).compareTo(stallThreshold) > 0) {
            status = ProjectionHealth.Status.STALLED;
        } else if (failing > 0 || instance.tracker().isBackingOff()) {
            status = ProjectionHealth.Status.FAILING;
        } else if (dead > 0) {
            status = ProjectionHealth.Status.DEAD_LETTERS;
        } else {
            status = ProjectionHealth.Status.RUNNING;
        }
        return new ProjectionHealth(settings.name(), status, processed, head, lag, lagTime, failing, dead, lastProgressAt,
                instance.lastError());
    }
}
