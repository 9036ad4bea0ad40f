/**
 * Connection handling shared by the PostgreSQL stores; not part of the API.
 */
@NullMarked
package io.nexus.postgresql.internal;

import org.jspecify.annotations.NullMarked;
