package io.nexus.testkit.contract;

import io.nexus.core.schema.InMemorySchemaRegistry;
import io.nexus.core.schema.SchemaRegistry;

/** The embedded registry passes the contract. */
class InMemorySchemaRegistryContractTest extends SchemaRegistryContract {

    @Override
    protected SchemaRegistry registry() {
        return InMemorySchemaRegistry.create();
    }
}
