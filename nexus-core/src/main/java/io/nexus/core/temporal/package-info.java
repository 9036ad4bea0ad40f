/**
 * Temporal queries (state as of a time or version) and their audit log.
 */
package io.nexus.core.temporal;
