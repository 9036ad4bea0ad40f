/**
 * What the AWS adapters share: {@link io.nexus.aws.AwsObservations}, which observes every call of an AWS SDK
 * v2 client the application builds (DynamoDB, DynamoDB Streams, Kinesis, Glue).
 */
@NullMarked
package io.nexus.aws;

import org.jspecify.annotations.NullMarked;
