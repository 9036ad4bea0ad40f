/**
 * Schema registries and the validation of event payloads against registered schemas.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.schema;

import org.jspecify.annotations.NullMarked;
