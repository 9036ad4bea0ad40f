package io.nexus.core.command;

import java.time.Clock;
import java.time.Instant;

/**
 * What a command handler may use besides the aggregate and the command: the command's metadata, the
 * clock (never read the system clock directly: tests control this one), and which attempt this is.
 *
 * @param metadata the command's metadata
 * @param clock    the application's clock
 * @param attempt  1 for the first attempt, higher after a concurrency conflict was retried
 */
public record CommandContext(CommandMetadata metadata, Clock clock, int attempt) {

    /** The current time on the application's clock. */
    public Instant now() {
        return clock.instant();
    }
}
