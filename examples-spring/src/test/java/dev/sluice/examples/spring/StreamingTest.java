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

/**
 * {@code GET /pictures} over real HTTP: the client's reading pace reaches the database; slow clients share a small
 * pool; a client that goes away stops the scan and returns its connection. Rows are counted where PostgreSQL sends
 * them.
 */
class StreamingTest extends ServiceTestBase {

    /** Netty's default high water mark: it stops asking for more while this much is queued on a channel. */
    private static final int NETTY_HIGH_WATER_MARK = 64 * 1024;
    /**
     * Rows the service may hold between Sluice and the socket: reactor-netty's send operator prefetches 128
     * elements; a Reactor queue of the default small buffer size (256) covers it and the encoder's.
     */
    private static final int IN_APP_PREFETCH = 256;

    @BeforeEach
    void warmUp() throws Exception {
        // the entity is checked against its table once: keep that out of the counts
        try (NdjsonClient client = NdjsonClient.get(port, "/pictures")) {
            client.read(1);
        }
        await("the warm-up's connection back", () -> acquired() == 0, Duration.ofSeconds(10));
    }

    @Test
    void aSlowClientMakesTheDatabaseSendAboutWhatItReadPlusBuffersAndOnePage() throws Exception {
        RELAY.reset();
        int rowBytes;
        try (NdjsonClient client = NdjsonClient.get(port, "/pictures")) {
            rowBytes = client.nextRow().length() + 1;
            for (int batch = 0; batch < 10; batch++) {
                client.read(batch == 0 ? 99 : 100);
                Thread.sleep(50);
            }
            assertThat(client.rows()).isEqualTo(1000);
            Thread.sleep(1500); // the client stalls: let everything upstream fill up
            long sent = RELAY.dataRows();
            Thread.sleep(500);
            assertThat(RELAY.dataRows()).as("rows sent while the client stalls").isEqualTo(sent);

            // What may sit between the database and the rows the client parsed, all bounded:
            // the server's send buffer and the client's receive buffer (each as asked, doubled by Linux), the bytes
            // the client read ahead, Netty's outbound queue up to its high water mark, a prefetch inside the
            // service, and the one page Sluice may fetch ahead of demand.
            long bufferBytes = 2L * SERVER_SEND_BUFFER + 2L * NdjsonClient.RECEIVE_BUFFER + NdjsonClient.READ_AHEAD
                    + NETTY_HIGH_WATER_MARK;
            long bound = client.rows() + bufferBytes / rowBytes + IN_APP_PREFETCH + MAX_PAGE;
            System.out.printf("slow client: read %d rows of %d bytes; database sent %d; bound %d; table %d%n",
                    client.rows(), rowBytes, sent, bound, PICTURES);
            assertThat(sent).isBetween((long) client.rows(), bound);
            assertThat(bound).isLessThan(PICTURES / 20);
        }
    }

    @Test
    void aHundredSlowClientsOverTenConnectionsAllMakeProgressAndHoldNoConnectionWhilePaused() throws Exception {
        int clients = 100;
        CountDownLatch paused = new CountDownLatch(clients);
        CountDownLatch resume = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                results.add(threads.submit(() -> {
                    try (NdjsonClient client = NdjsonClient.get(port, "/pictures")) {
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
                NdjsonClient client = NdjsonClient.get(port, "/pictures/by-time");
                client.read(10);
                stalled.add(client);
            }
            await("each cursor stream holding its connection", () -> acquired() == POOL_SIZE, Duration.ofSeconds(10));
            try (NdjsonClient eleventh = NdjsonClient.get(port, "/pictures/by-time")) {
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
        try (NdjsonClient client = NdjsonClient.get(port, "/pictures/by-time")) {
            client.read(100);
            await("the cursor's connection held", () -> acquired() == 1, Duration.ofSeconds(10));
            assertThat(sessionsInTransaction()).isEqualTo(1);
        }
        await("the cursor's connection back", () -> acquired() == 0, Duration.ofSeconds(10));
        await("its transaction ended", () -> sessionsInTransaction() == 0, Duration.ofSeconds(10));
    }
}
