/**
 * Projections and the processor that feeds them from the event store.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.projection;

import org.jspecify.annotations.NullMarked;
