/**
 * Schema registries and the validation of event payloads against registered schemas.
 */
package io.nexus.core.schema;
