/**
 * Read-model stores and caches.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.readmodel;

import org.jspecify.annotations.NullMarked;
