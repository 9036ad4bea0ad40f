/**
 * Real-time notifications of read-model changes and read-your-writes waits.
 *
 * <p>Types in signatures are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package io.nexus.core.notification;

import org.jspecify.annotations.NullMarked;
