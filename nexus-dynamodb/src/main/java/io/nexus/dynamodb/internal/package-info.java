/**
 * Item layouts, retries and queries shared by the DynamoDB stores; not part of the API.
 */
@NullMarked
package io.nexus.dynamodb.internal;

import org.jspecify.annotations.NullMarked;
