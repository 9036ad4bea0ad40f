/**
 * Event-sourced aggregates: the base class, definitions, repositories and their errors.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.aggregate;

import org.jspecify.annotations.NullMarked;
