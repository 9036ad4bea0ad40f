/**
 * The event bus port, its in-memory implementation, consumer groups and routing.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.bus;

import org.jspecify.annotations.NullMarked;
