/**
 * The checkpoint store port and its in-memory implementation.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.checkpoint;

import org.jspecify.annotations.NullMarked;
