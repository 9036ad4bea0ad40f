/**
 * Upcasters that turn stored events of older schema versions into the current shape.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.upcast;

import org.jspecify.annotations.NullMarked;
