package dev.sluice.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code GET /pictures} over real HTTP: the client's reading pace reaches the database; slow clients share a small
 * pool; a client that goes away stops the scan and returns its connection. Rows are counted where PostgreSQL sends
 * them.
 */
class StreamingTest extends ServiceTestBase {

    @BeforeEach
    void warmUp() throws Exception {
        // the entity is checked against its table once: keep that out of the counts
        try (NdjsonClient client = NdjsonClient.get(port, "/pictures")) {
            client.read(1);
        }
        // the server learns that the warm-up client has gone only when a write fails, and a keyset scan holds no
        // connection between pages: wait until the database has stopped sending too, or its rows land in the counts
        awaitQuietDatabase();
    }

    private void awaitQuietDatabase() throws InterruptedException {
        long before;
        do {
            before = RELAY.dataRows();
            Thread.sleep(500);
        } while (RELAY.dataRows() != before || acquired() != 0);
    }

    @Test
    void aSlowClientMakesTheDatabaseSendAboutWhatItReadPlusBuffersAndOnePage() throws Exception {
        RELAY.reset();
        SCAN_DEMAND.set(0);
        try (NdjsonClient client = NdjsonClient.get(port, "/pictures")) {
            client.nextRow();
            for (int batch = 0; batch < 10; batch++) {
                client.read(batch == 0 ? 99 : 100);
                Thread.sleep(50);
            }
            assertThat(client.rows()).isEqualTo(1000);
            Thread.sleep(1500); // the client stalls: let everything upstream fill up
            long sent = RELAY.dataRows();
            long asked = SCAN_DEMAND.get();
            Thread.sleep(500);
            assertThat(RELAY.dataRows()).as("rows sent while the client stalls").isEqualTo(sent);
            assertThat(SCAN_DEMAND.get()).as("rows WebFlux asks for while the client stalls").isEqualTo(asked);
            System.out.printf("slow client: read %d rows; WebFlux asked Sluice for %d; database sent %d; table %d%n",
                    client.rows(), asked, sent, PICTURES);

            // Sluice's promise, against the demand it really received (WebFlux's socket, encoder and Netty queues
            // sit between that demand and what the client read, and their sizes vary with timing): at most one
            // page beyond what was asked for
            assertThat(sent).isBetween((long) client.rows(), asked + MAX_PAGE);
            // and the slow client held the whole stream back: a small part of the table left the database
            assertThat(asked).isLessThan(PICTURES / 20);
        }
    }

    /**
     * The receive buffer of the hundred paused clients: several loopback segments (loopback's MTU is 64 KiB). With
     * {@link NdjsonClient#RECEIVE_BUFFER}, the window a client opens after the pause is not enough for the server to
     * send one of the full segments that the pause piled up (Linux's sender-side silly window avoidance), so it sends
     * nothing until its zero-window probe, whose interval doubled all through the pause (up to 120 s). Seen after a
     * 40 s pause, in each of three runs: a client got nothing for 15 to 28 s, its socket empty, while the server's
     * socket held 180 KB unsent on a probe timer 21 s away (backoff 7); with this buffer, in four runs, no client
     * waited more than 0.6 s.
     */
    static final int PAUSED_CLIENT_RECEIVE_BUFFER = 256 * 1024;

    @ParameterizedTest
    @ValueSource(strings = {"/pictures", "/pictures/by-time"})
    void aHundredSlowClientsOverTenConnectionsAllMakeProgressAndHoldNoConnectionWhilePaused(String path)
            throws Exception {
        int clients = 100;
        CountDownLatch paused = new CountDownLatch(clients);
        CountDownLatch resume = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                results.add(threads.submit(() -> {
                    try (NdjsonClient client = NdjsonClient.get(port, path, PAUSED_CLIENT_RECEIVE_BUFFER)) {
                        client.read(100);
                        paused.countDown();
                        resume.await();
                        for (int batch = 0; batch < 10; batch++) {
                            client.read(20);
                            Thread.sleep(10);
                        }
                        return client.rows();
                    }
                }));
            }
            assertThat(paused.await(120, TimeUnit.SECONDS)).as("every client got its first 100 rows").isTrue();
            // a hundred open streams, all paused: between pages none of them holds a connection
            await("no connection lent out while 100 streams pause", () -> acquired() == 0, Duration.ofSeconds(10));
            assertThat(pool().getMetrics().orElseThrow().getMaxAllocatedSize()).isEqualTo(POOL_SIZE);
            assertThat(sessionsInTransaction()).isZero();
            resume.countDown();
            for (Future<Integer> result : results) {
                assertThat(result.get(120, TimeUnit.SECONDS)).isEqualTo(300);
            }
        } finally {
            resume.countDown();
            threads.shutdownNow();
        }
    }

    @Test
    void whereasCursorStreamsHoldAConnectionEachSoTheEleventhSlowClientStalls() throws Exception {
        List<NdjsonClient> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < POOL_SIZE; i++) {
                NdjsonClient client = NdjsonClient.get(port, "/pictures/by-time/snapshot");
                client.read(10);
                stalled.add(client);
            }
            await("each cursor stream holding its connection", () -> acquired() == POOL_SIZE, Duration.ofSeconds(10));
            try (NdjsonClient eleventh = NdjsonClient.get(port, "/pictures/by-time/snapshot")) {
                assertThatThrownBy(() -> eleventh.awaitHeaders(2000)).as("the 11th client gets nothing")
                        .isInstanceOf(SocketTimeoutException.class);
                stalled.remove(0).close();
                // one stream goes away: its cursor is closed, its connection returned, and the 11th proceeds
                assertThat(eleventh.awaitHeaders(10_000)).isEqualTo(200);
                eleventh.read(10);
            }
        } finally {
            for (NdjsonClient client : stalled) {
                client.close();
            }
        }
        await("every cursor connection back", () -> acquired() == 0, Duration.ofSeconds(10));
        assertThat(sessionsInTransaction()).isZero();
    }

    @Test
    void aClientThatDisconnectsMidStreamStopsTheScan() throws Exception {
        RELAY.reset();
        try (NdjsonClient client = NdjsonClient.get(port, "/pictures")) {
            client.read(500);
        }
        await("the connection back", () -> acquired() == 0, Duration.ofSeconds(10));
        long sent = RELAY.dataRows();
        Thread.sleep(500);
        assertThat(RELAY.dataRows()).as("rows sent after the client left").isEqualTo(sent);
        assertThat(sent).isLessThan(PICTURES / 20);
        try (NdjsonClient next = NdjsonClient.get(port, "/pictures")) {
            next.read(10);
        }
    }

    @Test
    void aClientThatDisconnectsMidCursorStreamClosesItsTransactionAndReturnsItsConnection() throws Exception {
        try (NdjsonClient client = NdjsonClient.get(port, "/pictures/by-time/snapshot")) {
            client.read(100);
            await("the cursor's connection held", () -> acquired() == 1, Duration.ofSeconds(10));
            assertThat(sessionsInTransaction()).isEqualTo(1);
        }
        await("the cursor's connection back", () -> acquired() == 0, Duration.ofSeconds(10));
        await("its transaction ended", () -> sessionsInTransaction() == 0, Duration.ofSeconds(10));
    }
}
