package io.nexus.core.schema;

/**
 * One way a payload breaks its schema.
 *
 * @param pointer the JSON pointer of the offending value ("" for the whole document)
 * @param message what is wrong there
 */
public record Violation(String pointer, String message) {

    @Override
    public String toString() {
        return (pointer.isEmpty() ? "/" : pointer) + ": " + message;
    }
}
