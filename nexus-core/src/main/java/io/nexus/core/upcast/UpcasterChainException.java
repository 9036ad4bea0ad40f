package io.nexus.core.upcast;

import io.nexus.core.NexusException;

/**
 * The upcasters registered do not form complete chains: a version step is missing, registered twice,
 * or names a type or version that does not exist. Raised at startup. Permanent: fix the registration.
 */
public class UpcasterChainException extends NexusException {

    private static final long serialVersionUID = 1L;

    public UpcasterChainException(String message) {
        super(message);
    }
}
