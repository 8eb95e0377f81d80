package ai.kull.sync.process.stack;

import com.sun.net.httpserver.HttpServer;

import java.net.InetSocketAddress;

/** A stand-in for a packaged app in {@link StackTest}: answers /q/health/ready on HTTP_PORT, or prints the broker's ready line. */
public final class FakeApp {

    public static void main(String[] args) throws Exception {
        String port = System.getenv("HTTP_PORT");
        if (port != null) {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(port)), 0);
            server.createContext("/q/health/ready", exchange -> {
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
        }
        System.out.println("started with SETTING=" + System.getenv("SETTING"));
        System.out.println(StackApps.BROKER_READY);
        Thread.sleep(Long.MAX_VALUE);
    }
}
