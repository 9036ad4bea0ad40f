/**
 * The one way a component follows an event store's global log: {@link io.nexus.core.tracking.LogTracker}
 * loads a checkpoint, catches up through the log and then follows the store's append notifications,
 * with polling as the fallback. Projections, the store-to-bus router, sagas and rebuilds are its clients.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.tracking;

import org.jspecify.annotations.NullMarked;
