/**
 * Tracing and logging context: the observations Nexus makes with the Micrometer Observation API
 * ({@link io.nexus.core.observation.NexusObservation}), how W3C trace context travels in event metadata
 * ({@link io.nexus.core.observation.EventTraceContext}), and the SLF4J MDC keys Nexus sets while it
 * handles a command or an event ({@link io.nexus.core.observation.NexusMdc}). The meters are named in
 * {@link io.nexus.core.observation.NexusMeters}. docs/observability.md lists all of them.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.observation;

import org.jspecify.annotations.NullMarked;
