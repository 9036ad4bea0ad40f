package io.nexus.core;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nexus.core.checkpoint.InMemoryCheckpointStore;
import io.nexus.core.lifecycle.NexusComponent;
import io.nexus.core.lifecycle.NexusContext;
import io.nexus.core.store.InMemoryEventStore;
import io.nexus.core.testdomain.Account;
import io.nexus.core.testdomain.Accounts;
import io.nexus.core.testdomain.MutableClock;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The application lifecycle: components start in order, close in reverse, and inherit the application's services. */
class NexusLifecycleTest {

    private final List<String> calls = new ArrayList<>();

    /** Records its start and close in {@link #calls}; fails to start or close when told to. */
    private final class Recording implements NexusComponent {
        private final String name;
        private final boolean failStart;
        private final boolean failClose;
        NexusContext context;

        Recording(String name, boolean failStart, boolean failClose) {
            this.name = name;
            this.failStart = failStart;
            this.failClose = failClose;
        }

        Recording(String name) {
            this(name, false, false);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void start(NexusContext context) {
            calls.add("start " + name);
            this.context = context;
            if (failStart) {
                throw new IllegalStateException(name + " cannot start");
            }
        }

        @Override
        public void close() {
            calls.add("close " + name);
            if (failClose) {
                throw new IllegalStateException(name + " cannot close");
            }
        }
    }

    @Test
    void startsComponentsInRegistrationOrderAndClosesThemInReverse() {
        Nexus nexus = Accounts.nexus().component(new Recording("a")).component(new Recording("b"))
                .component(new Recording("c")).build();
        assertEquals(List.of(), calls, "nothing runs before start()");
        nexus.start();
        assertTrue(nexus.isRunning());
        assertEquals(List.of("start a", "start b", "start c"), calls);
        calls.clear();
        nexus.close();
        assertEquals(List.of("close c", "close b", "close a"), calls);
        assertFalse(nexus.isRunning());
        calls.clear();
        nexus.close();
        assertEquals(List.of(), calls, "closing twice closes nothing twice");
    }

    @Test
    void aComponentThatFailsToStartClosesTheOnesStartedBeforeItAndTheApplication() {
        Nexus nexus = Accounts.nexus().component(new Recording("a")).component(new Recording("b"))
                .component(new Recording("broken", true, false)).component(new Recording("never")).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, nexus::start);
        assertEquals("broken cannot start", e.getMessage());
        assertEquals(List.of("start a", "start b", "start broken", "close broken", "close b", "close a"), calls);
        assertFalse(nexus.isRunning());
        IllegalStateException closed = assertThrows(IllegalStateException.class,
                () -> nexus.commands().send(new Account.Open("acc-1", "ann")));
        assertTrue(closed.getMessage().startsWith("Nexus is closed"), closed.getMessage());
    }

    @Test
    void aComponentThatFailsToCloseDoesNotKeepTheOthersOpen() {
        Nexus nexus = Accounts.nexus().component(new Recording("a")).component(new Recording("stuck", false, true))
                .component(new Recording("c")).build();
        nexus.start();
        calls.clear();
        nexus.close();
        assertEquals(List.of("close c", "close stuck", "close a"), calls);
    }

    @Test
    void aCloseFailureDuringARollbackIsAddedToTheStartFailure() {
        Nexus nexus = Accounts.nexus().component(new Recording("stuck", false, true))
                .component(new Recording("broken", true, false)).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, nexus::start);
        assertEquals("broken cannot start", e.getMessage());
        assertEquals(1, e.getSuppressed().length);
        assertEquals("stuck cannot close", e.getSuppressed()[0].getMessage());
    }

    @Test
    void aClosedApplicationRefusesToWork() {
        Nexus nexus = Accounts.nexus().build();
        nexus.commands().send(new Account.Open("acc-1", "ann"));
        nexus.close();
        assertThrows(IllegalStateException.class, () -> nexus.commands().send(new Account.Deposit("acc-1", 5)));
        assertThrows(IllegalStateException.class, nexus::start);
        assertThrows(IllegalStateException.class, () -> nexus.repository(Account.class));
        assertThrows(IllegalStateException.class, () -> nexus.logTracker("late"));
    }

    @Test
    void startingTwiceIsRefused() {
        try (Nexus nexus = Accounts.nexus().component(new Recording("a")).build()) {
            nexus.start();
            IllegalStateException e = assertThrows(IllegalStateException.class, nexus::start);
            assertTrue(e.getMessage().contains("already started"), e.getMessage());
            assertEquals(List.of("start a"), calls);
        }
    }

    @Test
    void componentsInheritTheApplicationsClockMetersCodecValidatorPolicyAndPorts() {
        MutableClock clock = new MutableClock();
        MeterRegistry registry = new SimpleMeterRegistry();
        Recording component = new Recording("inheritor");
        try (Nexus nexus = Accounts.nexus().clock(clock).meterRegistry(registry).component(component).build()) {
            nexus.start();
            NexusContext context = component.context;
            assertSame(nexus, context);
            assertSame(clock, context.clock());
            assertSame(registry, context.meterRegistry());
            assertSame(nexus.codec(), context.codec());
            assertSame(nexus.validator(), context.validator());
            assertSame(nexus.policy(), context.policy());
            assertSame(nexus.eventStore(), context.eventStore());
            assertSame(context.checkpoints(), context.checkpoints());
            assertNotNull(context.deadLetters());
            assertNotNull(context.timers());
            assertNotNull(context.auditLog());
            assertNotNull(context.readModels());
            assertSame(component, context.component(Recording.class).orElseThrow());

            context.commands().send(new Account.Open("acc-1", "ann"));
            assertEquals(clock.instant(), context.eventStore().readAll(1, 1).get(0).timestamp(),
                    "the embedded store stamps events with the application clock");
            assertTrue(registry.getMeters().size() > 0, "the write side records on the application's registry");
        }
    }

    @Test
    void withoutARegistryComponentsGetOneThatRecordsNothing() {
        Recording component = new Recording("quiet");
        try (Nexus nexus = Accounts.nexus().component(component).build()) {
            nexus.start();
            MeterRegistry registry = component.context.meterRegistry();
            registry.counter("anything").increment();
            assertEquals(0.0, registry.counter("anything").count());
        }
    }

    @Test
    void aComponentFactoryGetsTheBuiltApplication() {
        List<NexusContext> seen = new ArrayList<>();
        try (Nexus nexus = Accounts.nexus().component(context -> {
            seen.add(context);
            return new Recording("made");
        }).build()) {
            assertEquals(List.of(nexus), seen);
            nexus.start();
            assertEquals(List.of("start made"), calls);
        }
    }

    @Test
    void componentNamesAreUnique() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Accounts.nexus().component(new Recording("twin")).component(new Recording("twin")).build());
        assertEquals("component name 'twin' is registered twice; give each component its own name", e.getMessage());
    }

    @Test
    void aPortSetTwiceIsRefusedNamingBothSettings() {
        NexusEngines family = builder -> builder.eventStore(InMemoryEventStore.builder().build())
                .checkpointStore(new InMemoryCheckpointStore());
        Nexus.Builder builder = Accounts.nexus().engines(family);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> builder.eventStore(InMemoryEventStore.builder().build()));
        assertTrue(e.getMessage().startsWith("'eventStore' was already set to InMemoryEventStore by engines a lambda of "
                + "NexusLifecycleTest, and the application sets it again to InMemoryEventStore"), e.getMessage());

        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> Accounts.nexus().clock(new MutableClock()).clock(new MutableClock()));
        assertTrue(twice.getMessage().startsWith("'clock' was already set to MutableClock by the application, "
                + "and the application sets it again"), twice.getMessage());

        NexusModule module = b -> b.checkpointStore(new InMemoryCheckpointStore());
        IllegalStateException fromModule = assertThrows(IllegalStateException.class, () -> Accounts.nexus().engines(family).module(module));
        assertTrue(fromModule.getMessage().contains("'checkpointStore' was already set to InMemoryCheckpointStore by engines"),
                fromModule.getMessage());
        assertTrue(fromModule.getMessage().contains("and module a lambda of NexusLifecycleTest sets it again"), fromModule.getMessage());
    }
}
