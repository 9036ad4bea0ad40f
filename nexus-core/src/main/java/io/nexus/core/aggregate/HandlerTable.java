package io.nexus.core.aggregate;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The event handlers of one aggregate class, by event class. Lookups by exact class are one map read;
 * a handler declared for a supertype (a sealed interface of events, say) is resolved once and cached.
 */
final class HandlerTable {

    private static final ClassValue<HandlerTable> DISCOVERED = new ClassValue<>() {
        @Override
        protected HandlerTable computeValue(Class<?> type) {
            return discover(type);
        }
    };

    private final Class<?> aggregateType;
    private final Map<Class<?>, BiConsumer<Aggregate, Object>> declared;
    private final Map<Class<?>, BiConsumer<Aggregate, Object>> resolved = new ConcurrentHashMap<>();

    HandlerTable(Class<?> aggregateType, Map<Class<?>, BiConsumer<Aggregate, Object>> declared) {
        this.aggregateType = aggregateType;
        this.declared = Map.copyOf(declared);
        this.resolved.putAll(declared);
    }

    static HandlerTable of(Class<?> aggregateType) {
        return DISCOVERED.get(aggregateType);
    }

    /** The event classes with a declared handler. */
    Set<Class<?>> handledTypes() {
        return declared.keySet();
    }

    void apply(Aggregate target, Object event) {
        BiConsumer<Aggregate, Object> handler = resolved.get(event.getClass());
        if (handler == null) {
            handler = resolve(event.getClass());
        }
        handler.accept(target, event);
    }

    private BiConsumer<Aggregate, Object> resolve(Class<?> eventClass) {
        BiConsumer<Aggregate, Object> found = null;
        Class<?> foundType = null;
        for (Map.Entry<Class<?>, BiConsumer<Aggregate, Object>> e : declared.entrySet()) {
            if (e.getKey().isAssignableFrom(eventClass) && (foundType == null || foundType.isAssignableFrom(e.getKey()))) {
                found = e.getValue();
                foundType = e.getKey();
            }
        }
        if (found == null) {
            throw new MissingEventHandlerException(aggregateType, eventClass);
        }
        resolved.put(eventClass, found);
        return found;
    }

    private static HandlerTable discover(Class<?> type) {
        Map<Class<?>, BiConsumer<Aggregate, Object>> handlers = new HashMap<>();
        for (Class<?> c = type; c != null && c != Aggregate.class; c = c.getSuperclass()) {
            for (Method method : c.getDeclaredMethods()) {
                if (!method.isAnnotationPresent(EventSourcingHandler.class)) {
                    continue;
                }
                if (method.getParameterCount() != 1 || Modifier.isStatic(method.getModifiers())) {
                    throw new IllegalStateException("@EventSourcingHandler method " + c.getSimpleName() + "." + method.getName()
                            + " must be an instance method with exactly one parameter, the event");
                }
                Class<?> eventType = method.getParameterTypes()[0];
                if (handlers.containsKey(eventType)) {
                    if (c != type && overridden(type, method)) {
                        continue;
                    }
                    throw new IllegalStateException("Aggregate " + type.getSimpleName() + " has two @EventSourcingHandler methods for "
                            + eventType.getSimpleName() + "; keep one");
                }
                handlers.put(eventType, invoker(c, method));
            }
        }
        return new HandlerTable(type, handlers);
    }

    private static boolean overridden(Class<?> type, Method method) {
        try {
            return type.getDeclaredMethod(method.getName(), method.getParameterTypes()) != null;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static BiConsumer<Aggregate, Object> invoker(Class<?> declaringClass, Method method) {
        MethodHandle handle;
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(declaringClass, MethodHandles.lookup());
            handle = lookup.unreflect(method).asType(MethodType.methodType(void.class, Aggregate.class, Object.class));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot access @EventSourcingHandler " + declaringClass.getName() + "." + method.getName()
                    + "; if the aggregate is in a named module, open its package to io.nexus.core", e);
        }
        return (aggregate, event) -> {
            try {
                handle.invokeExact(aggregate, event);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException("Event handler " + method + " threw " + e, e);
            }
        };
    }
}
