/**
 * Commands: the command bus, routing to aggregates, metadata, results and errors.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.command;

import org.jspecify.annotations.NullMarked;
