package io.nexus.core.internal;

import org.jspecify.annotations.Nullable;
import io.nexus.core.lifecycle.NexusComponent;
import io.nexus.core.lifecycle.NexusContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starts an application's components in registration order and closes the started ones in reverse.
 * A component that fails to start has the ones started before it closed (their failures added to the
 * thrown one as suppressed), and nothing is left running. Not part of the API. Thread-safe.
 */
public final class Lifecycle {

    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

    private final List<NexusComponent> components;
    private final List<NexusComponent> started = new ArrayList<>();

    public Lifecycle(List<NexusComponent> components) {
        this.components = List.copyOf(components);
    }

    /** The registered components, in registration order. */
    public List<NexusComponent> components() {
        return components;
    }

    /** The first registered component that is a {@code type}, or that wraps one ({@link Wrapper}). */
    public <T> Optional<T> find(Class<T> type) {
        for (NexusComponent component : components) {
            if (type.isInstance(component)) {
                return Optional.of(type.cast(component));
            }
            if (component instanceof Wrapper wrapper) {
                Object inner = wrapper.unwrap();
                if (type.isInstance(inner)) {
                    return Optional.of(type.cast(inner));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Starts every component with {@code context}, in order.
     *
     * @throws RuntimeException the first start failure, after the components started before it were closed
     */
    public synchronized void start(NexusContext context) {
        for (NexusComponent component : components) {
            try {
                component.start(context);
            } catch (RuntimeException | Error e) {
                // The failed one may have half started: close it too (close is harmless without a start).
                started.add(component);
                log.warn("Component '{}' failed to start; closing the {} component(s) started before it",
                        component.name(), started.size() - 1);
                closeStarted(e);
                throw e;
            }
            started.add(component);
        }
    }

    /** Closes the started components in reverse order; a failure is logged and the others are closed all the same. */
    public synchronized void close() {
        closeStarted(null);
    }

    private void closeStarted(@Nullable Throwable failure) {
        for (int i = started.size() - 1; i >= 0; i--) {
            NexusComponent component = started.get(i);
            try {
                component.close();
            } catch (RuntimeException | Error e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                } else {
                    log.warn("Component '{}' failed to close; closing the others", component.name(), e);
                }
            }
        }
        started.clear();
    }

    /** A component that runs another object users may ask the application for (a projection processor). */
    public interface Wrapper {
        /** The object run, or {@code null} while there is none yet (a router before its start). */
        @Nullable Object unwrap();
    }
}
