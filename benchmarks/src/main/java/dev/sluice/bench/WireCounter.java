package dev.sluice.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP relay in front of PostgreSQL that counts what the server sent: bytes, and DataRow ('D') messages.
 * Connect to {@link #port()} without TLS (r2dbc-postgresql's default). The relay itself buffers at most 64 KiB per
 * connection plus its sockets' buffers, so "sent by the server" here means "accepted by the relay".
 */
final class WireCounter implements AutoCloseable {

    private final String host;
    private final int targetPort;
    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong dataRows = new AtomicLong();
    private volatile boolean closed;

    private WireCounter(String host, int targetPort) throws IOException {
        this.host = host;
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "wire-counter-accept");
        t.setDaemon(true);
        t.start();
    }

    static WireCounter start(String host, int port) throws IOException {
        return new WireCounter(host, port);
    }

    int port() {
        return listener.getLocalPort();
    }

    long bytesFromServer() {
        return bytes.get();
    }

    long dataRows() {
        return dataRows.get();
    }

    void reset() {
        bytes.set(0);
        dataRows.set(0);
    }

    @Override
    public void close() {
        closed = true;
        quietly(listener);
        sockets.forEach(WireCounter::quietly);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(new InetSocketAddress(host, targetPort), 10_000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                pump(client, server, null);
                pump(server, client, new Framer());
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, Framer framer) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
                    if (framer != null) {
                        framer.consume(buffer, n);
                        bytes.addAndGet(n);
                    }
                    out.write(buffer, 0, n);
                }
            } catch (IOException ignored) {
                // one side closed
            } finally {
                quietly(from);
                quietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "wire-counter-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Follows the server's message framing: 1 type byte, int32 length (counting itself), payload. */
    private final class Framer {
        private final byte[] header = new byte[5];
        private int filled;
        private long remaining;

        void consume(byte[] b, int n) {
            int i = 0;
            while (i < n) {
                if (remaining > 0) {
                    int step = (int) Math.min(remaining, n - i);
                    i += step;
                    remaining -= step;
                    continue;
                }
                header[filled++] = b[i++];
                if (filled == 5) {
                    filled = 0;
                    if (header[0] == 'D') {
                        dataRows.incrementAndGet();
                    }
                    remaining = ((header[1] & 0xFFL) << 24 | (header[2] & 0xFF) << 16 | (header[3] & 0xFF) << 8
                            | (header[4] & 0xFF)) - 4;
                }
            }
        }
    }

    private static void quietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort
        }
    }
}
