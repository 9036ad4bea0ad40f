package io.nexus.core.schema;

import org.jspecify.annotations.Nullable;
import io.nexus.core.NexusException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Registers schema files at startup. A file is named {@code <EventType>.v<N>.json}: subject
 * {@code EventType}, version {@code N}. Each subject's files are registered in version order, must number
 * 1, 2, ... without gaps, and must come back from the registry with the version their name gives (a registry
 * that already holds other schemas for the subject fails with a {@link SchemaFileException}). Registration is
 * idempotent, so running it at every start is safe. Stateless and thread-safe.
 *
 * <pre>{@code
 * SchemaFiles.registerClasspath(registry, "schemas/OrderPlaced.v1.json", "schemas/OrderPlaced.v2.json");
 * SchemaFiles.registerDirectory(registry, Path.of("config/schemas"));
 * }</pre>
 */
public final class SchemaFiles {

    private static final Pattern NAME = Pattern.compile("(?:.*/)?([^/]+)\\.v([1-9][0-9]{0,5})\\.json");

    /** A schema file that cannot be read, is misnamed, or does not line up with the registry. Permanent. */
    public static final class SchemaFileException extends NexusException {
        private static final long serialVersionUID = 1L;

        public SchemaFileException(String message, @Nullable Throwable cause) {
            super(message, cause);
        }
    }

    private SchemaFiles() {
    }

    /**
     * Registers every {@code *.json} file directly in {@code directory}.
     *
     * @throws SchemaFileException             for a misnamed or unreadable file, a gap, or a version mismatch
     * @throws InvalidSchemaException          for a file that is not a valid JSON Schema
     * @throws IncompatibleSchemaException     for a version its subject's mode refuses
     */
    public static List<SchemaVersion> registerDirectory(RegisterSchemas registry, Path directory) {
        Objects.requireNonNull(registry, "registry");
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(directory)) {
            for (Path p : list.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
                files.put(p.getFileName().toString(), Files.readString(p, StandardCharsets.UTF_8));
            }
        } catch (IOException | UncheckedIOException e) {
            throw new SchemaFileException("Cannot read schema directory '" + directory + "': " + e.getMessage()
                    + "; check that it exists and is readable.", e);
        }
        return registerAll(registry, files);
    }

    /**
     * Registers the named classpath resources (the context class loader's, else this class's).
     *
     * @throws SchemaFileException for a missing or misnamed resource, a gap, or a version mismatch
     */
    public static List<SchemaVersion> registerClasspath(RegisterSchemas registry, String... resources) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = SchemaFiles.class.getClassLoader();
        }
        Map<String, String> files = new TreeMap<>();
        for (String resource : resources) {
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new SchemaFileException("Schema resource '" + resource + "' is not on the classpath; check its path.", null);
                }
                files.put(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new SchemaFileException("Cannot read schema resource '" + resource + "': " + e.getMessage(), e);
            }
        }
        return registerAll(registry, files);
    }

    /** Registers named documents ({@code name -> JSON Schema text}); names follow the file convention. */
    public static List<SchemaVersion> registerAll(RegisterSchemas registry, Map<String, String> documents) {
        Map<String, TreeMap<Integer, Map.Entry<String, String>>> bySubject = new TreeMap<>();
        for (Map.Entry<String, String> e : documents.entrySet()) {
            Matcher m = NAME.matcher(e.getKey());
            if (!m.matches()) {
                throw new SchemaFileException("Schema file '" + e.getKey() + "' is not named <EventType>.v<N>.json "
                        + "(for example OrderPlaced.v1.json); rename it.", null);
            }
            bySubject.computeIfAbsent(m.group(1), k -> new TreeMap<>()).put(Integer.parseInt(m.group(2)), e);
        }
        for (Map.Entry<String, TreeMap<Integer, Map.Entry<String, String>>> s : bySubject.entrySet()) {
            int expected = 1;
            for (int v : s.getValue().keySet()) {
                if (v != expected) {
                    throw new SchemaFileException("Schema files of '" + s.getKey() + "' jump from version " + (expected - 1)
                            + " to " + v + "; add the missing " + s.getKey() + ".v" + expected + ".json.", null);
                }
                expected++;
            }
        }
        List<SchemaVersion> registered = new ArrayList<>();
        for (Map.Entry<String, TreeMap<Integer, Map.Entry<String, String>>> s : bySubject.entrySet()) {
            for (Map.Entry<Integer, Map.Entry<String, String>> v : s.getValue().entrySet()) {
                SchemaVersion result = registry.register(s.getKey(), v.getValue().getValue());
                if (result.version() != v.getKey()) {
                    throw new SchemaFileException("Schema file '" + v.getValue().getKey() + "' was registered as version "
                            + result.version() + " of subject '" + s.getKey() + "', not " + v.getKey()
                            + "; the registry holds schemas the files do not. Align the files with the registry.", null);
                }
                registered.add(result);
            }
        }
        return registered;
    }
}
