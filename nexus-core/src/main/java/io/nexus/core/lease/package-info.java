/**
 * The lease store port, which decides which process runs an exclusive consumer, and its in-memory
 * implementation.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.lease;

import org.jspecify.annotations.NullMarked;
