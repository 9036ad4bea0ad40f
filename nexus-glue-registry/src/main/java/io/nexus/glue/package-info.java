/**
 * The schema registry port on the AWS Glue Schema Registry: {@link io.nexus.glue.GlueSchemaRegistry}.
 */
@NullMarked
package io.nexus.glue;

import org.jspecify.annotations.NullMarked;
