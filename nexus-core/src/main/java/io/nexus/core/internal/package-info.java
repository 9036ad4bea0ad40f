/**
 * Implementation details of the core; no API, may change in any release.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.internal;

import org.jspecify.annotations.NullMarked;
