package io.nexus.testkit.governance.bad;

import io.nexus.core.bus.BusConsumer;
import io.nexus.core.event.EventEnvelope;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Breaks no-synchronous-clients-in-handlers: a blocking HTTP call per event. */
public class BlockingConsumer implements BusConsumer {
    private final HttpClient http = HttpClient.newHttpClient();

    @Override
    public void onEvent(EventEnvelope event) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create("http://billing/charge")).build(), HttpResponse.BodyHandlers.discarding());
    }
}
