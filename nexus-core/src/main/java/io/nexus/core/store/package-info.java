/**
 * The event store port, split by role, and its in-memory implementation.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.store;

import org.jspecify.annotations.NullMarked;
