/**
 * The application entry point: {@link io.nexus.core.Nexus}, its builder, modules and components.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core;

import org.jspecify.annotations.NullMarked;
