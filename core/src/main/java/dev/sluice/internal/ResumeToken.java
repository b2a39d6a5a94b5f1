package dev.sluice.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.sluice.QueryException;
import org.jspecify.annotations.Nullable;

/**
 * Opaque, URL-safe tokens that carry a position (a row's values of a unique order) from one request to the next,
 * bound to the query that made them. A token is {@code base64url(version, values, mac)}: the values typed (each with
 * a tag, read back only as the type the query expects), the MAC an HMAC-SHA256 keyed per repository over the query's
 * shape (entity or SQL, conditions and their values, order) and the values. So a token altered in any byte, made by
 * another repository (or before a restart), or made by another query (another entity, order, condition) is refused
 * with a {@link QueryException} before any SQL runs.
 *
 * <p>API for the rest of core: {@link #encode(String, Object[])} and {@link #decode(String, String, List, String)};
 * the shape is any string that names what the position means. Thread-safe.
 */
final class ResumeToken {

    private static final byte VERSION = 1;
    private static final int MAC_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    private ResumeToken(byte[] key) {
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** Tokens signed with a random key: they are good for this repository only, until the process ends. */
    static ResumeToken withRandomKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return new ResumeToken(key);
    }

    /** Tokens signed with {@code key}: good across processes that share it. */
    static ResumeToken withKey(byte[] key) {
        if (key.length < 16) {
            throw new IllegalArgumentException("resumeTokenKey needs at least 16 bytes (32 random bytes are best), got "
                    + key.length);
        }
        return new ResumeToken(key);
    }

    /** The values a position can hold, each with its tag, writer and reader. */
    private enum Kind {
        LONG(Long.class, (o, v) -> o.writeLong((Long) v), DataInputStream::readLong),
        INT(Integer.class, (o, v) -> o.writeInt((Integer) v), DataInputStream::readInt),
        SHORT(Short.class, (o, v) -> o.writeShort((Short) v), DataInputStream::readShort),
        BOOLEAN(Boolean.class, (o, v) -> o.writeBoolean((Boolean) v), DataInputStream::readBoolean),
        DOUBLE(Double.class, (o, v) -> o.writeLong(Double.doubleToRawLongBits((Double) v)),
                i -> Double.longBitsToDouble(i.readLong())),
        FLOAT(Float.class, (o, v) -> o.writeInt(Float.floatToRawIntBits((Float) v)),
                i -> Float.intBitsToFloat(i.readInt())),
        STRING(String.class, (o, v) -> o.writeUTF((String) v), i -> i.readUTF()),
        DECIMAL(BigDecimal.class, text(), i -> new BigDecimal(i.readUTF())),
        UUID_(UUID.class, (o, v) -> {
            o.writeLong(((UUID) v).getMostSignificantBits());
            o.writeLong(((UUID) v).getLeastSignificantBits());
        }, i -> new UUID(i.readLong(), i.readLong())),
        INSTANT(Instant.class, (o, v) -> {
            o.writeLong(((Instant) v).getEpochSecond());
            o.writeInt(((Instant) v).getNano());
        }, i -> Instant.ofEpochSecond(i.readLong(), i.readInt())),
        OFFSET_DATE_TIME(OffsetDateTime.class, text(), i -> OffsetDateTime.parse(i.readUTF())),
        ZONED_DATE_TIME(ZonedDateTime.class, text(), i -> ZonedDateTime.parse(i.readUTF())),
        LOCAL_DATE(LocalDate.class, text(), i -> LocalDate.parse(i.readUTF())),
        LOCAL_DATE_TIME(LocalDateTime.class, text(), i -> LocalDateTime.parse(i.readUTF())),
        LOCAL_TIME(LocalTime.class, text(), i -> LocalTime.parse(i.readUTF())),
        OFFSET_TIME(OffsetTime.class, text(), i -> OffsetTime.parse(i.readUTF())),
        BYTES(byte[].class, (o, v) -> {
            o.writeInt(((byte[]) v).length);
            o.write((byte[]) v);
        }, i -> {
            byte[] b = new byte[i.readInt()];
            i.readFully(b);
            return b;
        });

        final Class<?> type;
        final Writer writer;
        final Reader reader;

        Kind(Class<?> type, Writer writer, Reader reader) {
            this.type = type;
            this.writer = writer;
            this.reader = reader;
        }

        private static Writer text() {
            return (o, v) -> o.writeUTF(v.toString());
        }

        static final Map<Class<?>, Kind> BY_TYPE = Arrays.stream(values())
                .collect(java.util.stream.Collectors.toUnmodifiableMap(k -> k.type, Function.identity()));
    }

    @FunctionalInterface
    private interface Writer {
        void write(DataOutputStream out, Object value) throws IOException;
    }

    @FunctionalInterface
    private interface Reader {
        Object read(DataInputStream in) throws IOException;
    }

    /** Whether a position value of type {@code type} can go into a token. */
    static boolean canHold(Class<?> type) {
        return Kind.BY_TYPE.containsKey(ValueType.boxed(type));
    }

    /**
     * A token for the position {@code values} (nulls allowed) of the query whose shape is {@code shape}.
     *
     * @throws QueryException if a value's type cannot go into a token
     */
    String encode(String shape, Object[] values) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeByte(values.length);
            for (Object value : values) {
                if (value == null) {
                    out.writeByte(-1);
                    continue;
                }
                Kind kind = Kind.BY_TYPE.get(value.getClass());
                if (kind == null) {
                    throw new QueryException("A resume token cannot hold a " + value.getClass().getSimpleName()
                            + " order value; order by columns of the types " + Kind.BY_TYPE.keySet().stream()
                            .map(Class::getSimpleName).sorted().toList());
                }
                out.writeByte(kind.ordinal());
                kind.writer.write(out, value);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        byte[] payload = bytes.toByteArray();
        byte[] token = Arrays.copyOf(payload, payload.length + MAC_BYTES);
        System.arraycopy(mac(shape, payload), 0, token, payload.length, MAC_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(token);
    }

    /**
     * The position a token holds, each value checked to be of the type expected at its place ({@code types}, boxed;
     * an enum's place expects its name as a String and gives back the constant).
     *
     * @param what what is being called, for the message, e.g. {@code page(100, "...")}
     * @throws QueryException if the token is not one this repository made for this query, or was altered
     */
    Object[] decode(String token, String shape, List<Class<?>> types, String what) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            throw refused(what, "it is not a token Sluice made (not URL-safe base64)");
        }
        if (!Base64.getUrlEncoder().withoutPadding().encodeToString(raw).equals(token)) {
            // the last character of unpadded base64 may carry unused bits: a token altered there decodes alike
            throw refused(what, "it is not a token Sluice made (not as Sluice encodes it)");
        }
        if (raw.length < 2 + MAC_BYTES || raw[0] != VERSION) {
            throw refused(what, "it is not a token Sluice made");
        }
        byte[] payload = Arrays.copyOf(raw, raw.length - MAC_BYTES);
        byte[] mac = Arrays.copyOfRange(raw, raw.length - MAC_BYTES, raw.length);
        if (!MessageDigest.isEqual(mac, Arrays.copyOf(mac(shape, payload), MAC_BYTES))) {
            throw refused(what, "it was made by another query (another entity, order or condition), by another "
                    + "repository or before a restart with another key, or it was altered");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload, 1, payload.length - 1))) {
            int count = in.readUnsignedByte();
            if (count != types.size()) {
                throw refused(what, "it holds " + count + " order values but the query's order has " + types.size());
            }
            Object[] values = new Object[count];
            for (int i = 0; i < count; i++) {
                int tag = in.readByte();
                if (tag == -1) {
                    continue;
                }
                if (tag < 0 || tag >= Kind.values().length) {
                    throw refused(what, "it holds a value of an unknown kind");
                }
                Kind kind = Kind.values()[tag];
                Class<?> expected = ValueType.boxed(types.get(i));
                Object value = kind.reader.read(in);
                values[i] = expected.isEnum() && kind == Kind.STRING ? constant(expected, (String) value, what)
                        : value;
                if (!expected.isInstance(values[i])) {
                    throw refused(what, "its value " + (i + 1) + " is a " + kind.type.getSimpleName()
                            + " where the order has a " + expected.getSimpleName());
                }
            }
            if (in.available() > 0) {
                throw refused(what, "it has bytes after its values");
            }
            return values;
        } catch (IOException | RuntimeException e) {
            if (e instanceof QueryException q) {
                throw q;
            }
            throw refused(what, "its values cannot be read (" + e.getMessage() + ")");
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object constant(Class<?> type, String name, String what) {
        try {
            return Enum.valueOf((Class) type, name);
        } catch (IllegalArgumentException e) {
            throw refused(what, "its value " + name + " is not a constant of " + type.getSimpleName());
        }
    }

    private static QueryException refused(String what, String why) {
        return new QueryException(what + ": the resume token was refused: " + why + "; start again from the first "
                + "page (no token) and use the tokens that pages of this query give");
    }

    private byte[] mac(String shape, byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] shapeBytes = shape.getBytes(StandardCharsets.UTF_8);
            mac.update(new byte[] {(byte) (shapeBytes.length >>> 24), (byte) (shapeBytes.length >>> 16),
                    (byte) (shapeBytes.length >>> 8), (byte) shapeBytes.length});
            mac.update(shapeBytes);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** A string that names a value for a query's shape: its type and its value, arrays by content. */
    static String describe(@Nullable Object value) {
        if (value == null) {
            return "null";
        }
        String text = value instanceof Object[] array ? Arrays.deepToString(array)
                : value instanceof byte[] b ? Base64.getEncoder().encodeToString(b)
                : value.getClass().isArray() ? Arrays.deepToString(new Object[] {value}) : value.toString();
        return value.getClass().getName() + ":" + text.length() + ":" + text;
    }
}
