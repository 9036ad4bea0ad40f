/**
 * Event values: envelopes of stored events, new events and payloads.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.event;

import org.jspecify.annotations.NullMarked;
