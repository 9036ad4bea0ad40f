package io.nexus.opa;

import io.nexus.core.NexusException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;

/**
 * A compiled OPA policy: the wasm module and, when the bundle has one, its data document. Read from what
 * {@code opa build -t wasm -e <entrypoint>} writes ({@code bundle.tar.gz}, holding {@code /policy.wasm} and
 * {@code /data.json}) or from a bare {@code policy.wasm}. Immutable.
 *
 * @param wasm the wasm module's bytes
 * @param data the bundle's {@code data.json}, or {@code null} when it has none
 */
public record OpaBundle(byte[] wasm, @Nullable String data) {

    /**
     * Reads {@code bytes} as a gzipped tar bundle (when they start with the gzip magic) or a bare wasm module.
     *
     * @throws NexusException if a bundle holds no {@code policy.wasm}, or the bytes are neither form
     */
    public static OpaBundle read(byte[] bytes, String origin) {
        if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
            return fromTarGz(bytes, origin);
        }
        if (bytes.length > 4 && bytes[0] == 0 && bytes[1] == 'a' && bytes[2] == 's' && bytes[3] == 'm') {
            return new OpaBundle(bytes, null);
        }
        throw new NexusException("OPA policy '" + origin + "' is neither a wasm module nor a gzipped bundle; build it with "
                + "'opa build -t wasm -e <entrypoint> <policy.rego>' and ship bundle.tar.gz or the policy.wasm inside it");
    }

    /** Reads the file at {@code path}. */
    public static OpaBundle file(Path path) {
        try {
            return read(Files.readAllBytes(path), path.toString());
        } catch (IOException e) {
            throw new NexusException("OPA policy file '" + path + "' cannot be read: " + e.getMessage()
                    + "; check the path and its permissions", e);
        }
    }

    /** Reads the classpath resource {@code resource} (no leading slash) with this class's loader. */
    public static OpaBundle classpath(String resource) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : OpaBundle.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new NexusException("OPA policy resource '" + resource + "' is not on the classpath; put the bundle "
                        + "under src/main/resources and name it without a leading slash");
            }
            return read(in.readAllBytes(), "classpath:" + resource);
        } catch (IOException e) {
            throw new NexusException("OPA policy resource '" + resource + "' cannot be read: " + e.getMessage(), e);
        }
    }

    private static OpaBundle fromTarGz(byte[] bytes, String origin) {
        byte[] wasm = null;
        String data = null;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                String name = text(header, 0, 100);
                String prefix = text(header, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
                long size = Long.parseLong(text(header, 124, 12).trim().isEmpty() ? "0" : text(header, 124, 12).trim(), 8);
                byte[] content = in.readNBytes((int) size);
                in.skipNBytes((512 - size % 512) % 512);
                String path = name.startsWith("./") ? name.substring(1) : name.startsWith("/") ? name : "/" + name;
                if (path.equals("/policy.wasm")) {
                    wasm = content;
                } else if (path.equals("/data.json")) {
                    data = new String(content, StandardCharsets.UTF_8);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new NexusException("OPA bundle '" + origin + "' is not a readable tar.gz: " + e.getMessage()
                    + "; rebuild it with 'opa build -t wasm'", e);
        }
        if (wasm == null) {
            throw new NexusException("OPA bundle '" + origin + "' holds no /policy.wasm; build it with 'opa build -t wasm -e <entrypoint>' "
                    + "(the default target 'rego' does not compile to wasm)");
        }
        return new OpaBundle(wasm, data);
    }

    private static String text(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
    }

    /** Writes a bundle the way {@code opa build} lays it out (tests, tools); {@code data} may be {@code null}. */
    public static byte[] toTarGz(byte[] wasm, @Nullable String data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
            entry(gz, "/policy.wasm", wasm);
            if (data != null) {
                entry(gz, "/data.json", data.getBytes(StandardCharsets.UTF_8));
            }
            gz.write(new byte[1024]);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void entry(java.io.OutputStream out, String name, byte[] content) throws IOException {
        byte[] header = new byte[512];
        put(header, 0, name);
        put(header, 100, "0000644");
        put(header, 108, "0000000");
        put(header, 116, "0000000");
        put(header, 124, String.format("%011o", content.length));
        put(header, 136, String.format("%011o", 0));
        header[156] = '0';
        put(header, 257, "ustar");
        put(header, 263, "00");
        for (int i = 148; i < 156; i++) {
            header[i] = ' ';
        }
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, String.format("%06o", sum));
        header[154] = 0;
        out.write(header);
        out.write(content);
        out.write(new byte[(512 - content.length % 512) % 512]);
    }

    private static void put(byte[] header, int offset, String value) {
        byte[] b = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, header, offset, b.length);
    }
}
