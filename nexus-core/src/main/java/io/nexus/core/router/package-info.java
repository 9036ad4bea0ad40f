/**
 * The event router that feeds a bus from the event store's global log.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.router;

import org.jspecify.annotations.NullMarked;
