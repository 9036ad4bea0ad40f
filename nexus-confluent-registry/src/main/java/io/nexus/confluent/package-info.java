/**
 * The schema registry port on a Confluent Schema Registry (JSON Schema, with references):
 * {@link io.nexus.confluent.ConfluentSchemaRegistry}.
 */
@NullMarked
package io.nexus.confluent;

import org.jspecify.annotations.NullMarked;
