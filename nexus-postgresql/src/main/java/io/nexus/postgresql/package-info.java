/**
 * The Nexus ports on PostgreSQL, all in one schema of one database: event store with global log and change
 * capture, snapshot, checkpoint, dead-letter, read-model, timer, audit and lease stores, set at once with
 * {@link io.nexus.postgresql.PostgresEngines}; {@link io.nexus.postgresql.PostgresSchema} creates and migrates the tables.
 */
@NullMarked
package io.nexus.postgresql;

import org.jspecify.annotations.NullMarked;
