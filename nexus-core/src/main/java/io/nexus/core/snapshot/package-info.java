/**
 * Snapshots of aggregate state: the store port, triggers and the in-memory store.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.snapshot;

import org.jspecify.annotations.NullMarked;
