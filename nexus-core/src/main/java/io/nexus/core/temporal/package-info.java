/**
 * Temporal queries (state as of a time or version) and their audit log.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.temporal;

import org.jspecify.annotations.NullMarked;
