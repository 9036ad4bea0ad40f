/**
 * The event bus on Amazon Kinesis Data Streams ({@link io.nexus.kinesis.KinesisEventBus}), its public record
 * format ({@link io.nexus.kinesis.KinesisRecordFormat}) and consumer groups leased across processes through the
 * Kinesis Client Library ({@link io.nexus.kinesis.LeasedConsumerGroups}).
 */
@NullMarked
package io.nexus.kinesis;

import org.jspecify.annotations.NullMarked;
