/**
 * The Nexus ports on Amazon DynamoDB: event store with change capture from DynamoDB Streams and a global
 * log, snapshot, checkpoint, dead-letter, read-model, timer, audit and lease stores, all set at once with
 * {@link io.nexus.dynamodb.DynamoDbEngines}; {@link io.nexus.dynamodb.DynamoDbTables} defines their tables.
 */
@NullMarked
package io.nexus.dynamodb;

import org.jspecify.annotations.NullMarked;
