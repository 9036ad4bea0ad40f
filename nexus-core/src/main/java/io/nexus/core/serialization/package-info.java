/**
 * Event types, codecs and the JSON serialization of events.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.serialization;

import org.jspecify.annotations.NullMarked;
