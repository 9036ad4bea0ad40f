package io.nexus.testkit.internal;

import org.jspecify.annotations.Nullable;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Describes how two values differ, field by field, for the test kit's failure messages: records by
 * component, lists by index, maps by key, anything else by {@code equals}. Not part of the API.
 */
public final class Differences {

    private static final int MAX_LINES = 20;

    private Differences() {
    }

    /** One line per difference ({@code "amount: expected 5 but was 4"}), empty when the values are equal. */
    public static List<String> between(@Nullable Object expected, @Nullable Object actual) {
        List<String> lines = new ArrayList<>();
        collect("", expected, actual, lines);
        if (lines.size() > MAX_LINES) {
            int more = lines.size() - MAX_LINES;
            lines = new ArrayList<>(lines.subList(0, MAX_LINES));
            lines.add("... and " + more + " more");
        }
        return lines;
    }

    /** The differences as an indented block, or the empty string. */
    public static String block(@Nullable Object expected, @Nullable Object actual) {
        StringBuilder text = new StringBuilder();
        for (String line : between(expected, actual)) {
            text.append("\n    ").append(line);
        }
        return text.toString();
    }

    /** A list of values one per line, numbered from 1, or {@code (none)}. */
    public static String numbered(List<? extends @Nullable Object> values) {
        if (values.isEmpty()) {
            return " (none)";
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            text.append("\n    ").append(i + 1).append(". ").append(show(values.get(i)));
        }
        return text.toString();
    }

    /** A value as the messages show it: strings quoted, other values by {@code toString}. */
    public static String show(@Nullable Object value) {
        if (value instanceof CharSequence text) {
            return "\"" + text + "\"";
        }
        return String.valueOf(value);
    }

    private static void collect(String path, @Nullable Object expected, @Nullable Object actual, List<String> lines) {
        if (Objects.equals(expected, actual)) {
            return;
        }
        String at = path.isEmpty() ? "" : path + ": ";
        if (expected instanceof List<?> e && actual instanceof List<?> a) {
            collectLists(path, at, e, a, lines);
            return;
        }
        if (expected instanceof Map<?, ?> e && actual instanceof Map<?, ?> a) {
            collectMaps(path, e, a, lines);
            return;
        }
        if (expected == null || actual == null || expected.getClass() != actual.getClass()) {
            lines.add(at + "expected " + typed(expected) + " but was " + typed(actual));
            return;
        }
        if (expected.getClass().isRecord()) {
            int before = lines.size();
            for (RecordComponent component : expected.getClass().getRecordComponents()) {
                collect(join(path, component.getName()), read(component, expected), read(component, actual), lines);
            }
            if (lines.size() == before) {
                lines.add(at + "expected " + show(expected) + " but was " + show(actual) + " (equal components, but equals says they differ)");
            }
            return;
        }
        lines.add(at + "expected " + show(expected) + " but was " + show(actual));
    }

    private static void collectLists(String path, String at, List<?> e, List<?> a, List<String> lines) {
        if (e.size() != a.size()) {
            lines.add(at + "expected " + e.size() + " element(s) but was " + a.size());
        }
        for (int i = 0; i < Math.min(e.size(), a.size()); i++) {
            collect(path + "[" + i + "]", e.get(i), a.get(i), lines);
        }
        for (int i = a.size(); i < e.size(); i++) {
            lines.add(path + "[" + i + "]: missing, expected " + show(e.get(i)));
        }
        for (int i = e.size(); i < a.size(); i++) {
            lines.add(path + "[" + i + "]: unexpected " + show(a.get(i)));
        }
    }

    private static void collectMaps(String path, Map<?, ?> e, Map<?, ?> a, List<String> lines) {
        Set<Object> keys = new LinkedHashSet<>(e.keySet());
        keys.addAll(a.keySet());
        for (Object key : keys) {
            String keyPath = path + "[" + show(key) + "]";
            if (!a.containsKey(key)) {
                lines.add(keyPath + ": missing, expected " + show(e.get(key)));
            } else if (!e.containsKey(key)) {
                lines.add(keyPath + ": unexpected " + show(a.get(key)));
            } else {
                collect(keyPath, e.get(key), a.get(key), lines);
            }
        }
    }

    private static String typed(@Nullable Object value) {
        return value == null ? "null" : show(value) + " (" + value.getClass().getName() + ")";
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static @Nullable Object read(RecordComponent component, Object record) {
        try {
            component.getAccessor().setAccessible(true);
            return component.getAccessor().invoke(record);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "<unreadable: " + e + ">";
        }
    }
}
