package dev.sluice.bench;

import java.io.EOFException;
import java.io.IOException;

/**
 * Reads PostgreSQL's binary COPY format (header, then per tuple an int16 field count and per field an int32 length
 * and that many bytes; a field count of -1 ends it) from chunks as the driver hands them over, without copying.
 */
final class BinaryCopyReader {

    /** Hands over the next chunk of the COPY stream, or null at its end. */
    interface Chunks {
        byte[] next() throws java.sql.SQLException;
    }

    private final Chunks chunks;
    private byte[] chunk = new byte[0];
    private int pos;

    BinaryCopyReader(Chunks chunks) {
        this.chunks = chunks;
    }

    /** Skips the 11-byte signature, the flags and the header extension. */
    void readHeader() throws IOException {
        skip(11 + 4);
        skip(readInt());
    }

    /**
     * Reads one tuple.
     *
     * @param field the index of the field whose length to return
     * @return the length of that field (0 when NULL), or -1 at the end of the stream
     */
    long nextTuple(int field) throws IOException {
        int fields = (short) ((readByte() << 8) | readByte());
        if (fields == -1) {
            return -1;
        }
        long wanted = 0;
        for (int i = 0; i < fields; i++) {
            int length = readInt();
            if (length > 0) {
                skip(length);
                if (i == field) {
                    wanted = length;
                }
            }
        }
        return wanted;
    }

    private int readInt() throws IOException {
        return (readByte() << 24) | (readByte() << 16) | (readByte() << 8) | readByte();
    }

    private int readByte() throws IOException {
        while (pos == chunk.length) {
            advance();
        }
        return chunk[pos++] & 0xFF;
    }

    private void skip(long n) throws IOException {
        while (n > 0) {
            if (pos == chunk.length) {
                advance();
            }
            int step = (int) Math.min(n, chunk.length - pos);
            pos += step;
            n -= step;
        }
    }

    private void advance() throws IOException {
        byte[] next;
        try {
            next = chunks.next();
        } catch (java.sql.SQLException e) {
            throw new IOException(e);
        }
        if (next == null) {
            throw new EOFException("COPY stream ended inside a tuple");
        }
        chunk = next;
        pos = 0;
    }
}
