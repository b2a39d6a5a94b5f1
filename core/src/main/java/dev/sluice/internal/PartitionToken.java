package dev.sluice.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32;

import dev.sluice.QueryException;

/**
 * One partition of a split, as a URL-safe string a worker in another process turns back into the same key range:
 * the table and key columns it belongs to, its place in the split, and its bounds as the key's text. Only what
 * {@link #encode} writes decodes; the rest fails with a message that says what is wrong.
 *
 * <p>Layout, before URL-safe base64 without padding: the magic {@code 'S' 'P'}, a version byte, the table, the number
 * of key columns and their names, the partition's index and the number of partitions, the lower and then the upper
 * bound (a count of values, 0 for unbounded, then the values), whether it is empty, and a CRC-32 of all that. The
 * checksum finds a token cut short or edited by hand; it is no signature: a token made up from scratch decodes, and can name only a key
 * range of the entity it claims, whose bounds are bind parameters.
 *
 * @param table   the entity's table
 * @param key     the key's columns, in order
 * @param index   the partition's place, from 0
 * @param count   the number of partitions of the split
 * @param lower   the first key in the partition (inclusive), as the text of each key column; empty when unbounded
 * @param upper   the first key beyond it (exclusive); empty when unbounded
 * @param empty   whether the partition holds no key at all (the split found fewer boundaries than partitions)
 */
record PartitionToken(String table, List<String> key, int index, int count, List<String> lower, List<String> upper,
                      boolean empty) {

    private static final byte VERSION = 1;

    PartitionToken {
        key = List.copyOf(key);
        lower = List.copyOf(lower);
        upper = List.copyOf(upper);
    }

    /** The token as a URL-safe string. */
    String encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte('S');
            out.writeByte('P');
            out.writeByte(VERSION);
            out.writeUTF(table);
            writeList(out, key);
            out.writeInt(index);
            out.writeInt(count);
            writeList(out, lower);
            writeList(out, upper);
            out.writeBoolean(empty);
        } catch (UTFDataFormatException e) {
            throw new QueryException("partition " + index + " of " + table + ": a bound of its key is longer than "
                    + "a token can carry (64 KiB of text); split on a shorter key");
        } catch (IOException e) {
            throw new IllegalStateException(e); // a byte array stream does not fail
        }
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        byte[] body = bytes.toByteArray();
        byte[] all = ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(all);
    }

    /**
     * Reads a token {@link #encode} wrote.
     *
     * @throws QueryException if the text is not such a token, or was changed or cut short
     */
    static PartitionToken decode(String token) {
        byte[] all;
        try {
            all = Base64.getUrlDecoder().decode(token.strip());
        } catch (IllegalArgumentException e) {
            throw invalid(token, "it is not URL-safe base64 (" + e.getMessage() + ")");
        }
        if (all.length < 7 || all[0] != 'S' || all[1] != 'P') {
            throw invalid(token, "it does not start as one");
        }
        if (all[2] != VERSION) {
            throw invalid(token, "it has version " + all[2] + ", and this Sluice reads version " + VERSION
                    + "; make the split with the Sluice the workers run");
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(all, all.length - 4, 4).getInt()) {
            throw invalid(token, "its checksum does not match: it was changed or cut short on its way");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 3, all.length - 7))) {
            String table = in.readUTF();
            List<String> key = readList(in);
            int index = in.readInt();
            int count = in.readInt();
            List<String> lower = readList(in);
            List<String> upper = readList(in);
            boolean empty = in.readBoolean();
            if (in.available() != 0 || key.isEmpty() || count < 1 || index < 0 || index >= count
                    || !(lower.isEmpty() || lower.size() == key.size())
                    || !(upper.isEmpty() || upper.size() == key.size())) {
                throw invalid(token, "its fields do not fit together");
            }
            return new PartitionToken(table, key, index, count, lower, upper, empty);
        } catch (IOException e) {
            throw invalid(token, "it ends too early");
        }
    }

    private static QueryException invalid(String token, String why) {
        String shown = token.length() > 40 ? token.substring(0, 40) + "..." : token;
        return new QueryException("partition(\"" + shown + "\"): not a partition token made by "
                + "query.partitions(n): " + why);
    }

    private static void writeList(DataOutputStream out, List<String> values) throws IOException {
        out.writeShort(values.size());
        for (String v : values) {
            out.writeUTF(v);
        }
    }

    private static List<String> readList(DataInputStream in) throws IOException {
        int size = in.readUnsignedShort();
        List<String> values = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            values.add(in.readUTF());
        }
        return values;
    }
}
