/**
 * Dead letters and parked events: the queue port and its in-memory implementation.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.deadletter;

import org.jspecify.annotations.NullMarked;
