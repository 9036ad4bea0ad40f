package io.nexus.kinesis;

import io.nexus.kinesis.internal.EnvelopeCodec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The format of the records the Kinesis bus writes: a public, versioned contract, so that consumers in
 * other languages can read the bus's streams. Each record's data is one UTF-8 JSON object with the
 * envelope's fields by name, the payload in standard padded base64, optional fields left out when absent
 * (never {@code null}), and the format version in {@code "nx"}. The JSON Schema of the record ships in
 * this jar at {@link #SCHEMA_RESOURCE}; docs/kinesis.md describes every field.
 *
 * <p>Compatibility: within format {@value #VERSION} a release may add optional properties, which readers
 * must ignore; anything a reader of this version could misread (a renamed or retyped field, another
 * payload encoding) gets a new version. The bus skips (and counts, in
 * {@code nexus.kinesis.consume.undecodable}) every record that does not match the format it reads.
 */
public final class KinesisRecordFormat {

    /** The record format version the bus writes and reads: the value of {@code "nx"}. */
    public static final int VERSION = EnvelopeCodec.FORMAT;

    /** The class-path location of the JSON Schema (draft 2020-12) of a record of format {@value #VERSION}. */
    public static final String SCHEMA_RESOURCE = "/io/nexus/kinesis/event-record-v1.schema.json";

    private KinesisRecordFormat() {
    }

    /** The text of the JSON Schema at {@link #SCHEMA_RESOURCE}. */
    public static String schema() {
        try (InputStream in = KinesisRecordFormat.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("The record schema '" + SCHEMA_RESOURCE + "' is missing from the class path;"
                        + " the nexus-kinesis jar is incomplete");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Reading the record schema '" + SCHEMA_RESOURCE + "' failed", e);
        }
    }
}
