/**
 * Implementation details of the core; no API, may change in any release.
 */
package io.nexus.core.internal;
