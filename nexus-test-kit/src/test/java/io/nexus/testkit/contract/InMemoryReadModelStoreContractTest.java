package io.nexus.testkit.contract;

import io.nexus.core.readmodel.InMemoryReadModelStores;
import io.nexus.core.readmodel.ReadModelStores;

/** The read-model store contract run against the embedded {@link InMemoryReadModelStores}. */
class InMemoryReadModelStoreContractTest extends ReadModelStoreContract {

    @Override
    protected ReadModelStores createStores() {
        return new InMemoryReadModelStores();
    }
}
