/**
 * The record codec and the shard readers of the Kinesis bus; not part of the API.
 */
@NullMarked
package io.nexus.kinesis.internal;

import org.jspecify.annotations.NullMarked;
