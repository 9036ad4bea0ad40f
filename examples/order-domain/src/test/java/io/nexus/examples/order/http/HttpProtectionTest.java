package io.nexus.examples.order.http;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.nexus.examples.order.http.RunningApp.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What protects the server: timeouts, bounded bodies, content types, short error messages, idempotency keys. */
class HttpProtectionTest {

    @Test
    void clientsThatStallInTheirHeadersOrBodiesDoNotHoldUpOthers() throws Exception {
        try (RunningApp app = RunningApp.embedded()) {
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    stalled.add(stall(app, "POST /orders HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 100\r\n\r\n{\"customerId\":"));
                }
                for (int i = 0; i < 4; i++) {
                    stalled.add(stall(app, "GET /orders HTTP/1.1\r\nHost: loc"));
                }
                // The JDK server this replaced served four requests at a time: twelve stalled clients would hang it.
                for (int i = 0; i < 20; i++) {
                    expect(201, app.call("POST", "/orders", "{\"customerId\":\"c-" + i + "\"}"));
                    expect(200, app.call("GET", "/orders", null));
                }
                for (Socket socket : stalled) {
                    assertTrue(stillWaiting(socket), "a stalled client is still connected while the others were served");
                }
            } finally {
                for (Socket socket : stalled) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void aClientThatStallsInItsBodyIsCutOffAfterTheIdleTimeout() throws Exception {
        HttpSettings settings = HttpSettings.defaults(0, RunningApp.TOKEN).withIdleTimeout(Duration.ofMillis(500));
        try (RunningApp app = RunningApp.embedded(settings, Duration.ofMinutes(30));
             Socket socket = stall(app, "POST /orders HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                     + "Content-Length: 100\r\n\r\n{\"customerId\":")) {
            socket.setSoTimeout(20_000);
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            // Either an answer saying so, or the connection closed: never a thread held for ever.
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 408") || answer.startsWith("HTTP/1.1 500"), answer);
            assertEquals(0, app.app.nexus().eventStore().headPosition());
        }
    }

    @Test
    void aFiveMegabyteBodyIsAnswered413NotReset() throws Exception {
        try (RunningApp app = RunningApp.embedded()) {
            String huge = "{\"customerId\":\"" + "x".repeat(5 * 1024 * 1024) + "\"}";
            RunningApp.Reply reply = app.call("POST", "/orders", huge);
            assertEquals(413, reply.status());
            assertEquals("payload_too_large", reply.error());
            assertTrue(reply.raw().body().length() < 1000, reply.raw().body());
            // And one declared but sent in chunks (no Content-Length) is cut off the same way.
            try (Socket socket = new Socket("localhost", app.app.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /orders HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = "x".repeat(32 * 1024).getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 4; i++) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                socket.setSoTimeout(20_000);
                String head = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                assertEquals("HTTP/1.1 413", head);
            }
            assertEquals(0, app.app.nexus().eventStore().headPosition());
        }
    }

    @Test
    void onlyJsonBodiesAreAccepted() throws Exception {
        try (RunningApp app = RunningApp.embedded()) {
            RunningApp.Reply plain = app.call("POST", "/orders", "{\"customerId\":\"c-1\"}", "Content-Type", "text/plain");
            assertEquals(415, plain.status());
            assertEquals("unsupported_media_type", plain.error());
            assertTrue(plain.json().path("message").asText().contains("application/json but was 'text/plain'"), plain.raw().body());
            expect(201, app.call("POST", "/orders", "{\"customerId\":\"c-1\"}", "Content-Type", "application/json; charset=UTF-8"));
        }
    }

    @Test
    void errorsNeverEchoLargeInput() throws Exception {
        try (RunningApp app = RunningApp.embedded()) {
            String big = "y".repeat(60 * 1024);
            RunningApp.Reply field = app.call("POST", "/orders", "{\"customerId\":\"" + big + "\"}");
            assertEquals(400, field.status());
            assertTrue(field.raw().body().length() < 1000, "error body of " + field.raw().body().length() + " characters");
            RunningApp.Reply unknown = app.call("POST", "/orders", "{\"customerId\":\"c\",\"" + "y".repeat(30 * 1024) + "\":1}");
            assertEquals(400, unknown.status());
            assertTrue(unknown.raw().body().contains("(30720 characters)"), unknown.raw().body());
            assertTrue(unknown.raw().body().length() < 1000);
            RunningApp.Reply malformed = app.call("POST", "/orders", "{\"customerId\":" + big + "}");
            assertEquals("malformed_json", malformed.error());
            assertTrue(malformed.raw().body().length() < 1000);
            RunningApp.Reply path = app.call("GET", "/orders/" + "z".repeat(4000), null);
            assertEquals(400, path.status());
            assertTrue(path.raw().body().length() < 1000);
        }
    }

    @Test
    void anIdempotencyKeyResendsSafelyAndAKeyReusedForAnotherCommandIs422() throws Exception {
        try (RunningApp app = RunningApp.embedded()) {
            expect(201, app.call("POST", "/orders", "{\"customerId\":\"c-1\",\"orderId\":\"o-1\"}"));
            String key = UUID.randomUUID().toString();
            String apple = "{\"sku\":\"apple\",\"quantity\":1,\"unitPriceCents\":100}";
            RunningApp.Reply first = expect(200, app.call("POST", "/orders/o-1/lines", apple, "Idempotency-Key", key));
            RunningApp.Reply again = expect(200, app.call("POST", "/orders/o-1/lines", apple, "Idempotency-Key", key));
            assertFalse(first.json().path("alreadyApplied").asBoolean());
            assertTrue(again.json().path("alreadyApplied").asBoolean());
            assertEquals(first.json().path("version"), again.json().path("version"));
            RunningApp.Reply other = app.call("POST", "/orders/o-1/lines", "{\"sku\":\"pear\",\"quantity\":1,\"unitPriceCents\":100}",
                    "Idempotency-Key", key);
            assertEquals(422, other.status(), other.raw().body());
            assertEquals("command_id_reused", other.error());
            assertEquals(400, app.call("POST", "/orders/o-1/lines", apple, "Idempotency-Key", "not-a-uuid").status());
            assertEquals(2, app.app.nexus().eventStore().currentVersion("o-1"));
        }
    }

    private static Socket stall(RunningApp app, String partialRequest) throws IOException {
        Socket socket = new Socket("localhost", app.app.port());
        socket.getOutputStream().write(partialRequest.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    private static boolean stillWaiting(Socket socket) throws IOException {
        socket.setSoTimeout(50);
        InputStream in = socket.getInputStream();
        try {
            return in.read() >= 0 && false;
        } catch (SocketTimeoutException e) {
            return true;
        }
    }
}
