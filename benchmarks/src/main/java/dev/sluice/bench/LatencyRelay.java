package dev.sluice.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A loopback TCP relay that delays every chunk by a fixed time in each direction, as a network between the
 * application and the database would (a round trip costs twice the delay), without limiting throughput: chunks queue
 * up in order and each leaves at its own due time.
 */
final class LatencyRelay implements AutoCloseable {

    private record Chunk(byte[] bytes, long due) {
    }

    private static final Chunk END = new Chunk(new byte[0], 0);

    private final String host;
    private final int targetPort;
    private final long delayNanos;
    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    LatencyRelay(String host, int targetPort, long delayMicros) throws IOException {
        this.host = host;
        this.targetPort = targetPort;
        this.delayNanos = delayMicros * 1000;
        this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        daemon(this::accept, "latency-relay-accept");
    }

    int port() {
        return listener.getLocalPort();
    }

    private static void daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(host, targetPort);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                pipe(client, server, "up");
                pipe(server, client, "down");
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("latency relay: " + e);
                }
            }
        }
    }

    /** One direction: a reader that stamps each chunk with its due time, a writer that sends it then. */
    private void pipe(Socket from, Socket to, String direction) {
        BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        daemon(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    queue.add(new Chunk(Arrays.copyOf(buffer, n), System.nanoTime() + delayNanos));
                }
            } catch (IOException ignored) {
                // the other side closed
            }
            queue.add(END);
        }, "latency-relay-read-" + direction);
        daemon(() -> {
            try (OutputStream out = to.getOutputStream()) {
                for (Chunk c = queue.take(); c != END; c = queue.take()) {
                    for (long wait = c.due() - System.nanoTime(); wait > 0; wait = c.due() - System.nanoTime()) {
                        LockSupport.parkNanos(wait);
                    }
                    out.write(c.bytes());
                    out.flush();
                }
            } catch (IOException | InterruptedException ignored) {
                // closed
            } finally {
                try {
                    to.shutdownOutput();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }, "latency-relay-write-" + direction);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
