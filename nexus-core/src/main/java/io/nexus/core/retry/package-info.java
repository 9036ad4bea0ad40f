/**
 * Retry policies with backoff and jitter.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.retry;

import org.jspecify.annotations.NullMarked;
