package dev.sluice.examples.spring;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A deliberately plain HTTP/1.1 client that reads an NDJSON response only when told to, row by row, so that what it
 * has not read stays in TCP buffers: a slow client whose buffers are known. Decodes chunked transfer encoding.
 */
final class NdjsonClient implements AutoCloseable {

    /** The client's socket receive buffer, as asked for (Linux doubles it). */
    static final int RECEIVE_BUFFER = 64 * 1024;
    /** Bytes the client process reads ahead of the rows it parsed. */
    static final int READ_AHEAD = 8 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(2048);
    private long chunkLeft;
    private boolean ended;
    private int rows;
    private int status;

    private NdjsonClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), READ_AHEAD);
    }

    /** Connects and sends {@code GET path}; does not wait for the answer. */
    static NdjsonClient get(int port, String path) throws IOException {
        return get(port, path, RECEIVE_BUFFER);
    }

    /** As {@link #get(int, String)}, with a socket receive buffer of {@code receiveBuffer} bytes (as asked for). */
    static NdjsonClient get(int port, String path, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(receiveBuffer); // before connect, so the TCP window is negotiated with it
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(90_000); // a liveness bound only: generous, for busy machines
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nAccept: application/x-ndjson\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return new NdjsonClient(socket);
    }

    /** Waits at most {@code timeoutMillis} for the status line and headers; returns the status. */
    int awaitHeaders(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        String statusLine = readLine();
        status = Integer.parseInt(statusLine.split(" ")[1]);
        boolean chunked = false;
        for (String header = readLine(); !header.isEmpty(); header = readLine()) {
            chunked |= header.toLowerCase().startsWith("transfer-encoding:") && header.contains("chunked");
        }
        if (!chunked) {
            throw new IOException("expected a chunked response, got status " + statusLine);
        }
        socket.setSoTimeout(90_000); // a liveness bound only: generous, for busy machines
        return status;
    }

    /** The next row, or null at the end of the response. */
    String nextRow() throws IOException {
        if (status == 0) {
            awaitHeaders(30_000);
        }
        while (!ended) {
            if (chunkLeft == 0) {
                String size = readLine();
                if (size.isEmpty()) { // the CRLF after a chunk's data
                    size = readLine();
                }
                chunkLeft = Long.parseLong(size.split(";")[0].trim(), 16);
                if (chunkLeft == 0) {
                    ended = true;
                    break;
                }
            }
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed mid-chunk");
            }
            chunkLeft--;
            if (b == '\n') {
                rows++;
                String row = line.toString(StandardCharsets.UTF_8);
                line.reset();
                return row;
            }
            line.write(b);
        }
        return null;
    }

    /** Reads {@code n} rows, failing if the response ends first. */
    void read(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            if (nextRow() == null) {
                throw new EOFException("response ended after " + rows + " rows");
            }
        }
    }

    /** Rows parsed so far. */
    int rows() {
        return rows;
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream text = new ByteArrayOutputStream(64);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("connection closed");
            }
            if (b != '\r') {
                text.write(b);
            }
        }
        return text.toString(StandardCharsets.US_ASCII);
    }

    /** Closes the socket: to the server, the client has gone away. */
    @Override
    public void close() throws IOException {
        socket.close();
    }
}
