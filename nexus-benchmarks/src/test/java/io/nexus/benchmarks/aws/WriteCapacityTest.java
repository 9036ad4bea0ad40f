package io.nexus.benchmarks.aws;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.InterceptorContext;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The capacity units the write-scaling benchmark reports, computed by DynamoDB's published size rules. */
class WriteCapacityTest {

    @Test
    void itemSizesFollowDynamoDbsRules() {
        // names count; a string is its UTF-8 bytes; a number 1 byte per two significant digits plus 1; binary its bytes
        assertEquals(2 + 3, WriteCapacity.size(Map.of("pk", AttributeValue.fromS("abc"))));
        assertEquals(2 + 3 + 1, WriteCapacity.size(Map.of("sk", AttributeValue.fromN("12345"))));
        assertEquals(2 + 2, WriteCapacity.size(Map.of("pl", AttributeValue.fromS("é"))));
        assertEquals(2 + 100, WriteCapacity.size(Map.of("pl", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[100])))));
        // a map: 3 bytes, plus per entry 1 byte, its name and its value
        assertEquals(2 + 3 + 1 + 1 + 1, WriteCapacity.size(Map.of("md", AttributeValue.fromM(Map.of("k", AttributeValue.fromS("v"))))));
    }

    @Test
    void transactionalWritesCostTwiceTheStartedKilobytesAndConsistentReadsOneUnit() {
        WriteCapacity capacity = new WriteCapacity();
        Map<String, AttributeValue> small = Map.of("pk", AttributeValue.fromS("a"));
        Map<String, AttributeValue> large = Map.of("pk", AttributeValue.fromS("b"),
                "pl", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[1500])));
        TransactWriteItemsRequest transaction = TransactWriteItemsRequest.builder().transactItems(
                TransactWriteItem.builder().put(Put.builder().tableName("t").item(small).build()).build(),
                TransactWriteItem.builder().put(Put.builder().tableName("t").item(large).build()).build()).build();
        send(capacity, transaction);
        send(capacity, PutItemRequest.builder().tableName("t").item(large).build());
        send(capacity, GetItemRequest.builder().tableName("t").key(small).consistentRead(true).build());
        send(capacity, GetItemRequest.builder().tableName("t").key(small).build());

        assertEquals(2 * 1 + 2 * 2 + 2, capacity.computedWriteUnits(), "transaction: 1 KB and 2 KB items, doubled; put: 2 KB");
        assertEquals(1.5, capacity.computedReadUnits(), "consistent read 1, eventually consistent 0.5");
        assertEquals(1, capacity.transactions());
    }

    @Test
    void everyRequestAsksForItsConsumedCapacity() {
        WriteCapacity capacity = new WriteCapacity();
        TransactWriteItemsRequest transaction = TransactWriteItemsRequest.builder().build();
        TransactWriteItemsRequest modified = (TransactWriteItemsRequest) capacity.modifyRequest(
                InterceptorContext.builder().request(transaction).build(), new ExecutionAttributes());
        assertEquals(ReturnConsumedCapacity.TOTAL, modified.returnConsumedCapacity());
    }

    private static void send(WriteCapacity capacity, software.amazon.awssdk.core.SdkRequest request) {
        capacity.beforeExecution(InterceptorContext.builder().request(request).build(), new ExecutionAttributes());
    }
}
