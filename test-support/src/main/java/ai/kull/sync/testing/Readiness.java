package ai.kull.sync.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;


/** Waits for a Quarkus application to report ready ({@code /q/health/ready} answers 200). */
public final class Readiness {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Readiness() {
    }

    /** Until {@code base}{@code /q/health/ready} answers 200; fails after {@code timeout} with the last answer. */
    public static void awaitReady(URI base, Duration timeout) {
        Waits.await("ready: " + base).atMost(timeout).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> status(base.resolve("/q/health/ready")) == 200);
    }

    /** The HTTP status of a GET, or -1 when nothing answers. */
    public static int status(URI uri) {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
