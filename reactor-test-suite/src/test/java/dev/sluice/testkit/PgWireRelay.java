package dev.sluice.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A counting TCP relay for the PostgreSQL wire protocol (v3), so that tests can observe what really crossed the
 * wire: rows the server sent, statements it completed, queries and executions the client asked for.
 *
 * <p>The relay listens on {@code 127.0.0.1} on an ephemeral {@link #port()}, and pipes every accepted client
 * connection to its own new connection to the target, in both directions, byte for byte. While forwarding it follows
 * the message framing of each direction and counts, across all connections, until {@link #reset()}.
 *
 * <p>Counting requires unencrypted connections (for r2dbc-postgresql: {@code sslMode=disable}). A connection on
 * which the server accepts TLS or GSS encryption is still piped, but from then on nothing on it is counted except
 * bytes.
 *
 * <p>Each counter is updated before the bytes it describes are forwarded, so once a client has seen a message, the
 * counters already include it.
 *
 * <p>CancelRequests can be {@link #holdCancelRequests() held} in the relay and forwarded later, so a test decides
 * when a cancel signal lands on the server.
 */
public final class PgWireRelay implements AutoCloseable {

    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private static final int SSL_REQUEST_CODE = 80877103;
    private static final int GSSENC_REQUEST_CODE = 80877104;
    private static final int CANCEL_REQUEST_CODE = 80877102;
    private static final int TYPED_HEADER_SIZE = 5;
    private static final int UNTYPED_HEADER_SIZE = 8;

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket listener;
    private final Set<PipedConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionIds = new AtomicInteger();
    private volatile boolean closed;

    private final AtomicLong dataRows = new AtomicLong();
    private final AtomicLong bytesFromServer = new AtomicLong();
    private final AtomicLong bytesToServer = new AtomicLong();
    private final AtomicLong statementsCompleted = new AtomicLong();
    private final AtomicLong simpleQueries = new AtomicLong();
    private final AtomicLong parses = new AtomicLong();
    private final AtomicLong executes = new AtomicLong();
    private final AtomicLong cancelRequests = new AtomicLong();
    private final List<String> commandTags = new ArrayList<>();
    /** The command tags of each connection since the last reset, by connection number; guarded by commandTags. */
    private final Map<Integer, List<String>> commandTagsByConnection = new LinkedHashMap<>();
    private final AtomicInteger cancelRequestsHeld = new AtomicInteger();
    private final AtomicInteger cancelRequestsOpen = new AtomicInteger();
    /** While not null, a CancelRequest waits for it before it is forwarded. */
    private volatile CountDownLatch cancelGate;

    private PgWireRelay(String targetHost, int targetPort, ServerSocket listener) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = listener;
    }

    /**
     * Starts a relay to {@code targetHost:targetPort}, listening on {@code 127.0.0.1} on an ephemeral port.
     *
     * @throws IllegalStateException if the listening socket cannot be opened
     */
    public static PgWireRelay start(String targetHost, int targetPort) {
        ServerSocket listener;
        try {
            listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot open a listening socket on 127.0.0.1", e);
        }
        PgWireRelay relay = new PgWireRelay(targetHost, targetPort, listener);
        Thread acceptor = new Thread(relay::acceptLoop, "pg-wire-relay-" + relay.port() + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return relay;
    }

    /** The port the relay listens on, on {@code 127.0.0.1}. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Number of DataRow ('D') messages the server sent. */
    public long dataRows() {
        return dataRows.get();
    }

    /** Number of bytes the server sent, all connections together. */
    public long bytesFromServer() {
        return bytesFromServer.get();
    }

    /** Number of bytes the clients sent, all connections together. */
    public long bytesToServer() {
        return bytesToServer.get();
    }

    /**
     * The text of every CommandComplete ('C') message the server sent, such as {@code "SELECT 500"},
     * {@code "FETCH 1000"}, {@code "BEGIN"}, in arrival order (an unmodifiable snapshot).
     */
    public List<String> commandTags() {
        synchronized (commandTags) {
            return List.copyOf(commandTags);
        }
    }

    /** Number of CommandComplete ('C') messages the server sent. */
    public long statementsCompleted() {
        return statementsCompleted.get();
    }

    /** Number of simple-query ('Q') messages the clients sent. */
    public long simpleQueries() {
        return simpleQueries.get();
    }

    /** Number of Parse ('P') messages the clients sent, that is statements prepared with the extended protocol. */
    public long parses() {
        return parses.get();
    }

    /** Number of Execute ('E') messages the clients sent. */
    public long executes() {
        return executes.get();
    }

    /** Number of CancelRequest packets, each of which arrives on a connection of its own. */
    public long cancelRequests() {
        return cancelRequests.get();
    }

    /**
     * The text of every CommandComplete message per client connection, keyed by the relay's number for the connection
     * (1, 2, ... in order of acceptance), each in arrival order; connections that completed no statement since the
     * last reset are absent. A snapshot.
     */
    public Map<Integer, List<String>> commandTagsByConnection() {
        synchronized (commandTags) {
            Map<Integer, List<String>> copy = new LinkedHashMap<>();
            commandTagsByConnection.forEach((id, tags) -> copy.put(id, List.copyOf(tags)));
            return copy;
        }
    }

    /**
     * From now on, keeps every CancelRequest in the relay instead of forwarding it, until
     * {@link #releaseCancelRequests()}: the client's cancel connection stays open and the server knows nothing of it.
     */
    public void holdCancelRequests() {
        if (cancelGate == null) {
            cancelGate = new CountDownLatch(1);
        }
    }

    /** Forwards the CancelRequests held, and stops holding them. */
    public void releaseCancelRequests() {
        CountDownLatch gate = cancelGate;
        cancelGate = null;
        if (gate != null) {
            gate.countDown();
        }
    }

    /** Number of CancelRequests held in the relay now. */
    public int cancelRequestsHeld() {
        return cancelRequestsHeld.get();
    }

    /**
     * Number of connections that carried a CancelRequest and are still open: held, or forwarded and not yet closed
     * by the server, which closes such a connection once it has signalled the backend.
     */
    public int cancelRequestsOpen() {
        return cancelRequestsOpen.get();
    }

    /** Number of client connections currently piped to the target. */
    public int openConnections() {
        return connections.size();
    }

    /** Sets every counter back to zero and forgets the command tags; open connections keep being piped. */
    public void reset() {
        dataRows.set(0);
        bytesFromServer.set(0);
        bytesToServer.set(0);
        simpleQueries.set(0);
        parses.set(0);
        executes.set(0);
        cancelRequests.set(0);
        synchronized (commandTags) {
            commandTags.clear();
            commandTagsByConnection.clear();
            statementsCompleted.set(0);
        }
    }

    /** Stops listening and closes every piped connection, on both sides. */
    @Override
    public void close() {
        closed = true;
        releaseCancelRequests();
        closeQuietly(listener);
        for (PipedConnection connection : connections) {
            connection.close();
        }
    }

    @Override
    public String toString() {
        return "PgWireRelay{127.0.0.1:" + port() + " -> " + targetHost + ":" + targetPort + "}";
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // the listener was closed
            }
            Socket server = new Socket();
            try {
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                server.connect(new InetSocketAddress(targetHost, targetPort), CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(server);
                continue;
            }
            PipedConnection connection = new PipedConnection(client, server);
            connections.add(connection);
            if (closed) {
                connection.close(); // close() may have run before this connection was registered
                return;
            }
            connection.start(connectionIds.incrementAndGet());
        }
    }

    private void recordCommandTag(int connection, String tag) {
        synchronized (commandTags) {
            commandTags.add(tag);
            commandTagsByConnection.computeIfAbsent(connection, id -> new ArrayList<>()).add(tag);
            statementsCompleted.incrementAndGet();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing is best effort
        }
    }

    /** One client connection and its connection to the target, pumped by two daemon threads. */
    private final class PipedConnection {

        private final Socket client;
        private final Socket server;
        /** SSLRequests/GSSENCRequests the client sent that the server has not answered yet (one byte each). */
        private final AtomicInteger pendingEncryptionReplies = new AtomicInteger();
        private final AtomicInteger runningDirections = new AtomicInteger(2);
        /** Set once the connection is encrypted (or unparseable): from then on only bytes are counted. */
        private volatile boolean countingStopped;
        /** Set when the client sent a CancelRequest on this connection. */
        private volatile boolean cancelRequest;
        private volatile int id;

        PipedConnection(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void start(int id) {
            this.id = id;
            String prefix = "pg-wire-relay-" + port() + "-" + id;
            startPump(prefix + "-to-server", client, server, new Framer(this, true), bytesToServer);
            startPump(prefix + "-from-server", server, client, new Framer(this, false), bytesFromServer);
        }

        private void startPump(String name, Socket from, Socket to, Framer framer, AtomicLong byteCounter) {
            Thread thread = new Thread(() -> pump(from, to, framer, byteCounter), name);
            thread.setDaemon(true);
            thread.start();
        }

        /**
         * Forwards {@code from} to {@code to} until end of stream, which is then passed on as a half-close; a
         * failure in either direction closes both sockets.
         */
        private void pump(Socket from, Socket to, Framer framer, AtomicLong byteCounter) {
            byte[] buffer = new byte[BUFFER_SIZE];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                for (int read = in.read(buffer); read != -1; read = in.read(buffer)) {
                    framer.consume(buffer, read);
                    byteCounter.addAndGet(read);
                    if (framer.fromClient && cancelRequest) {
                        awaitCancelGate();
                    }
                    out.write(buffer, 0, read);
                }
                to.shutdownOutput();
            } catch (IOException e) {
                close();
            } finally {
                if (runningDirections.decrementAndGet() == 0) {
                    close();
                }
            }
        }

        /** Holds this connection's CancelRequest while the relay holds them. */
        private void awaitCancelGate() throws IOException {
            CountDownLatch gate = cancelGate;
            if (gate == null) {
                return;
            }
            cancelRequestsHeld.incrementAndGet();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while holding a CancelRequest", e);
            } finally {
                cancelRequestsHeld.decrementAndGet();
            }
        }

        void close() {
            closeQuietly(client);
            closeQuietly(server);
            if (connections.remove(this) && cancelRequest) {
                cancelRequestsOpen.decrementAndGet();
            }
        }
    }

    /**
     * Follows the framing of one direction over the bytes as they are read, however messages are split across
     * reads. A message is either typed (1 type byte, then an int32 length counting itself but not the type byte, then
     * the payload) or, for the client's first packets, untyped (an int32 length counting itself, an int32 request
     * code, then the rest). The server answers an SSLRequest or GSSENCRequest with one unframed byte.
     */
    private final class Framer {

        private final PipedConnection connection;
        private final boolean fromClient;
        private final byte[] header = new byte[UNTYPED_HEADER_SIZE];
        private boolean startupSent;
        private int headerFilled;
        private boolean readingPayload;
        private int payloadRemaining;
        private ByteArrayOutputStream commandTag;

        Framer(PipedConnection connection, boolean fromClient) {
            this.connection = connection;
            this.fromClient = fromClient;
        }

        void consume(byte[] buffer, int length) {
            int position = 0;
            while (position < length && !connection.countingStopped) {
                if (readingPayload) {
                    int chunk = Math.min(payloadRemaining, length - position);
                    if (commandTag != null) {
                        commandTag.write(buffer, position, chunk);
                    }
                    position += chunk;
                    payloadRemaining -= chunk;
                    if (payloadRemaining == 0) {
                        endMessage();
                    }
                } else if (headerFilled == 0 && isEncryptionReply()) {
                    onEncryptionReply(buffer[position++]);
                } else {
                    header[headerFilled++] = buffer[position++];
                    if (headerFilled == headerSize()) {
                        startMessage();
                    }
                }
            }
        }

        private int headerSize() {
            return fromClient && !startupSent ? UNTYPED_HEADER_SIZE : TYPED_HEADER_SIZE;
        }

        private boolean isEncryptionReply() {
            return !fromClient && connection.pendingEncryptionReplies.get() > 0;
        }

        private void onEncryptionReply(byte reply) {
            connection.pendingEncryptionReplies.decrementAndGet();
            if (reply != 'N') {
                connection.countingStopped = true; // 'S' or 'G': the rest of the connection is encrypted
            }
        }

        private void startMessage() {
            if (headerFilled == TYPED_HEADER_SIZE) {
                payloadRemaining = readInt(1) - 4;
                onTypedMessage((char) (header[0] & 0xFF));
            } else {
                payloadRemaining = readInt(0) - UNTYPED_HEADER_SIZE;
                onUntypedMessage(readInt(4));
            }
            headerFilled = 0;
            if (payloadRemaining < 0) {
                connection.countingStopped = true; // not a framing we understand
            } else if (payloadRemaining == 0) {
                endMessage();
            } else {
                readingPayload = true;
            }
        }

        private void onTypedMessage(char type) {
            if (fromClient) {
                switch (type) {
                    case 'Q' -> simpleQueries.incrementAndGet();
                    case 'P' -> parses.incrementAndGet();
                    case 'E' -> executes.incrementAndGet();
                    default -> { }
                }
            } else if (type == 'D') {
                dataRows.incrementAndGet();
            } else if (type == 'C') {
                commandTag = new ByteArrayOutputStream(32);
            }
        }

        private void onUntypedMessage(int code) {
            switch (code) {
                case SSL_REQUEST_CODE, GSSENC_REQUEST_CODE -> connection.pendingEncryptionReplies.incrementAndGet();
                case CANCEL_REQUEST_CODE -> {
                    cancelRequests.incrementAndGet();
                    if (!connection.cancelRequest) {
                        connection.cancelRequest = true;
                        cancelRequestsOpen.incrementAndGet();
                    }
                }
                default -> startupSent = true;
            }
        }

        private void endMessage() {
            readingPayload = false;
            if (commandTag != null) {
                byte[] text = commandTag.toByteArray();
                int end = text.length > 0 && text[text.length - 1] == 0 ? text.length - 1 : text.length;
                recordCommandTag(connection.id, new String(text, 0, end, StandardCharsets.UTF_8));
                commandTag = null;
            }
        }

        private int readInt(int offset) {
            return (header[offset] & 0xFF) << 24 | (header[offset + 1] & 0xFF) << 16
                    | (header[offset + 2] & 0xFF) << 8 | (header[offset + 3] & 0xFF);
        }
    }
}
