package io.nexus.dynamodb.internal;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * DynamoDB's item size rules, rounded up: attribute names plus values, strings and names in UTF-8,
 * binaries by length, numbers at their maximum of 21 bytes, maps and lists with 3 bytes of overhead
 * plus 1 per element. An over-estimate by design: an item judged to fit always fits.
 */
public final class ItemSizes {

    /** The largest item DynamoDB stores, 400 KB. */
    public static final int MAX_ITEM_BYTES = 400 * 1024;

    private ItemSizes() {
    }

    public static int of(Map<String, AttributeValue> item) {
        int size = 0;
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            size += utf8(e.getKey()) + of(e.getValue());
        }
        return size;
    }

    static int of(AttributeValue v) {
        if (v.s() != null) {
            return utf8(v.s());
        }
        if (v.n() != null) {
            return 21;
        }
        if (v.b() != null) {
            return v.b().asByteArrayUnsafe().length;
        }
        if (v.hasM()) {
            int size = 3;
            for (Map.Entry<String, AttributeValue> e : v.m().entrySet()) {
                size += utf8(e.getKey()) + of(e.getValue()) + 1;
            }
            return size;
        }
        if (v.hasL()) {
            int size = 3;
            for (AttributeValue e : v.l()) {
                size += of(e) + 1;
            }
            return size;
        }
        return 1;
    }

    public static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
