/**
 * Policy decisions on commands, appends and operator actions: built-in rules and engines.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.policy;

import org.jspecify.annotations.NullMarked;
