package io.nexus.local;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DynamoDB Local is an optional dependency: without it, starting one says which dependency to add and why. */
class LocalDynamoDbClasspathTest {

    @Test
    void withoutTheDynamoDbLocalJarTheErrorNamesTheDependencyAndItsLicence() {
        ClassLoader withoutIt = new ClassLoader(null) { };

        LocalEngineException e = assertThrows(LocalEngineException.class,
                () -> LocalDynamoDb.requireOnClasspath(withoutIt));

        assertTrue(e.getMessage().contains("com.amazonaws:DynamoDBLocal"), e.getMessage());
        assertTrue(e.getMessage().contains("DynamoDB Local License Agreement"), e.getMessage());
    }

    @Test
    void thisModulesOwnClasspathHasIt() {
        assertDoesNotThrow(() -> LocalDynamoDb.requireOnClasspath(LocalDynamoDb.class.getClassLoader()));
    }
}
