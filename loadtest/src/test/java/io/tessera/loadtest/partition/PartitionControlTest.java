package io.tessera.loadtest.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone proxy's control API over real HTTP, and the parsing of its command line. */
class PartitionControlTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final HttpClient http = HttpClient.newHttpClient();
    private NetworkPartitions partitions;
    private PartitionControl control;

    @BeforeEach
    void start() throws IOException {
        partitions = NetworkPartitions.start(List.of(
                new NetworkPartitions.Endpoint("master-1", "127.0.0.1", freePort(), freePort()),
                new NetworkPartitions.Endpoint("media-1", "127.0.0.1", freePort(), freePort())), Map::of);
        control = PartitionControl.start(partitions, "s3cret", new InetSocketAddress(LOOPBACK, 0));
    }

    @AfterEach
    void stop() {
        control.close();
        partitions.close();
    }

    @Test
    void partitionCutAndHealChangeTheCutsItReports() throws Exception {
        HttpResponse<String> r = call("POST", "/partition/master-1", "s3cret");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"cuts\":[\"master-1->media-1\",\"media-1->master-1\"]"), r.body());
        assertEquals(200, call("POST", "/heal", "s3cret").statusCode());
        r = call("POST", "/cut/media-1/master-1", "s3cret");
        assertTrue(r.body().contains("\"cuts\":[\"media-1->master-1\"]"), r.body());
        r = call("GET", "/cuts", "s3cret");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("\"nodes\":[\"master-1\",\"media-1\"]"), r.body());
    }

    @Test
    void clearErrorsForBadCredentialsNodesPathsAndMethods() throws Exception {
        assertEquals(401, call("GET", "/cuts", "wrong").statusCode());
        assertEquals(401, call("GET", "/cuts", null).statusCode());
        HttpResponse<String> r = call("POST", "/partition/master-9", "s3cret");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("unknown node 'master-9'"), r.body());
        assertEquals(400, call("POST", "/cut/master-1/master-1", "s3cret").statusCode());
        assertEquals(404, call("POST", "/explode", "s3cret").statusCode());
        assertEquals(405, call("GET", "/heal", "s3cret").statusCode());
        assertTrue(partitions.cuts().isEmpty());
    }

    @Test
    void refusesAnAddressOtherThanLoopbackAndAnEmptySecret() {
        assertThrows(IllegalArgumentException.class,
                () -> PartitionControl.start(partitions, "", new InetSocketAddress(LOOPBACK, 0)));
        assertThrows(IllegalArgumentException.class,
                () -> PartitionControl.start(partitions, "s", new InetSocketAddress("0.0.0.0", 0)));
    }

    @Test
    void parsesNodesAndReadsPidFiles(@TempDir Path dir) throws IOException {
        List<NetworkPartitions.Endpoint> e = PartitionProxyMain.endpoints(
                List.of("master-1=127.0.0.1:2551:3551", "media-1=127.0.0.1:2651:3651"));
        assertEquals(new NetworkPartitions.Endpoint("master-1", "127.0.0.1", 2551, 3551), e.get(0));
        assertThrows(IllegalArgumentException.class, () -> PartitionProxyMain.endpoints(List.of("m=127.0.0.1:2551")));
        assertThrows(IllegalArgumentException.class,
                () -> PartitionProxyMain.endpoints(List.of("m=127.0.0.1:2551:2551")));
        assertThrows(IllegalArgumentException.class,
                () -> PartitionProxyMain.endpoints(List.of("m=127.0.0.1:1:2", "m=127.0.0.1:3:4")));
        Files.writeString(dir.resolve("master-1.pid"), "1234\n");
        Files.writeString(dir.resolve("media-1.pid"), "garbled");
        assertEquals(Map.of(1234L, "master-1"), PartitionProxyMain.pids(dir, List.of("master-1", "media-1", "x")));
    }

    private HttpResponse<String> call(String method, String path, String secret) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + control.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (secret != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(("OPENVIDUAPP:" + secret).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            return s.getLocalPort();
        }
    }
}
