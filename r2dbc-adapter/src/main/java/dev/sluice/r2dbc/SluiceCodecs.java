package dev.sluice.r2dbc;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Function;

import dev.sluice.spi.UntypedBinary;
import dev.sluice.spi.UntypedText;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.postgresql.client.EncodedParameter;
import io.r2dbc.postgresql.codec.Codec;
import io.r2dbc.postgresql.codec.CodecRegistry;
import io.r2dbc.postgresql.extension.CodecRegistrar;
import io.r2dbc.postgresql.message.Format;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * Sluice's r2dbc-postgresql extension, found by the driver through {@code ServiceLoader} (its
 * {@code autodetectExtensions}, on by default), or registered by hand with
 * {@code PostgresqlConnectionConfiguration.builder().extendWith(new SluiceCodecs())}. It lets Sluice send
 * {@code bytea} parameters in binary, and read the values of some column types exactly. It changes nothing for
 * other code on the same connections: its codecs answer only to types private to Sluice.
 *
 * <p>Why bytea: r2dbc-postgresql 1.1 sends every {@code byte[]} parameter as hex text, even on a {@code forceBinary}
 * factory, so a 1 KiB value costs 2 KiB on the wire and a per-byte encode on the client and decode on the server.
 * The profile of a batched 1 KiB insert had a third of the client's time in that hex encoding. In binary the
 * array is sent as it is, without a copy. When a connection was created without this extension (extensions not
 * autodetected, or another driver), Sluice binds the plain {@code byte[]} and the driver's hex encoding applies,
 * slower but the same values.
 *
 * <p>Why reads: the driver's own decoders change some values (binary {@code numeric} loses its scale, dates before
 * 1582 shift, {@code infinity} becomes a far instant; see {@code ExactColumns}). For those columns this extension
 * hands Sluice the value's bytes as they came, which Sluice decodes itself. A codec that decoded
 * {@code BigDecimal} or {@code LocalDate} would change what every other library on the JVM reads, Spring Data R2DBC's
 * included; this one cannot. Without the extension, Sluice fails the first read of such a column, saying how to
 * register it, rather than read other values.
 *
 * <p>Why untyped text: r2dbc-postgresql binds a {@code String} as {@code varchar}, which PostgreSQL refuses for an
 * enum, {@code json} or {@code jsonb} column. Sluice hands such values over as {@code UntypedText}, which this
 * extension binds with no type (OID 0), so PostgreSQL reads each as its column's type.
 */
public final class SluiceCodecs implements CodecRegistrar {

    /** PostgreSQL's type OID of {@code bytea}. */
    private static final int BYTEA = 17;
    /** No type: the server infers the parameter's type from the statement. */
    private static final int UNSPECIFIED = 0;

    /** Connections this extension registered its codec on; weak, so it holds none of them alive. */
    private static final Map<PostgresqlConnection, Boolean> REGISTERED =
            Collections.synchronizedMap(new WeakHashMap<>());

    /** Called by r2dbc-postgresql's {@code ServiceLoader}, or by hand for {@code extendWith}. */
    public SluiceCodecs() {
    }

    @Override
    public Publisher<Void> register(PostgresqlConnection connection, ByteBufAllocator allocator,
                                    CodecRegistry registry) {
        return Mono.fromRunnable(() -> {
            registry.addFirst(new UntypedTextCodec());
            registry.addFirst(new UntypedBinaryCodec());
            registry.addFirst(new BinaryByteaCodec());
            registry.addFirst(new RawValueCodec());
            REGISTERED.put(connection, Boolean.TRUE);
        });
    }

    /** Whether {@code connection} can encode a {@link BinaryBytea} and decode a {@link RawValue}. */
    static boolean registeredOn(PostgresqlConnection connection) {
        return REGISTERED.containsKey(connection);
    }

    /** A {@code bytea} parameter for Sluice's codec: binds {@code bytes} in binary, as they are. */
    record BinaryBytea(byte[] bytes) {
    }

    /**
     * A column's value as it came from the server, for Sluice's own decoding: a copy of its bytes, whether they are in
     * binary or text, and the column's type OID; or, for a fixed-width binary value that fits a {@code long}
     * ({@link #fixedWidth}), that number itself, which spares a copy and an array per value of the most common types.
     *
     * @param bytes {@link #FIXED} (this very array) exactly when the value is {@code fixed}
     */
    record RawValue(int oid, boolean binary, byte[] bytes, long fixed) {

        /** The bytes of a value carried as a number. */
        static final byte[] FIXED = new byte[0];

        /** Whether the value is the number {@link #fixed()}, not {@link #bytes()}. */
        boolean isFixed() {
            return bytes == FIXED;
        }

        /** Bytes as they came. */
        static RawValue of(int oid, boolean binary, byte[] bytes) {
            return new RawValue(oid, binary, bytes, 0);
        }

        /** A fixed-width binary value read as a number: {@code int4} for a date, {@code int8} for the others. */
        static RawValue fixed(int oid, long value) {
            return new RawValue(oid, true, FIXED, value);
        }
    }

    /** PostgreSQL's {@code date}: days since 2000-01-01, a binary {@code int4}. */
    static final int DATE = 1082;
    /** {@code timestamp}, {@code timestamptz}, {@code time}: microseconds, a binary {@code int8}. */
    static final int TIMESTAMP = 1114;
    static final int TIMESTAMPTZ = 1184;
    static final int TIME = 1083;

    /** The width in bytes of a binary value of {@code oid} that {@link RawValue#fixed} carries, or 0. */
    static int fixedWidth(int oid) {
        return switch (oid) {
            case DATE -> 4;
            case TIMESTAMP, TIMESTAMPTZ, TIME -> 8;
            default -> 0;
        };
    }

    /** Decodes into {@link RawValue} only, for any column type; encodes nothing. */
    private static final class RawValueCodec implements Codec<RawValue> {

        @Override
        public boolean canDecode(int dataType, Format format, Class<?> type) {
            return type == RawValue.class;
        }

        @Override
        public boolean canEncode(Object value) {
            return false;
        }

        @Override
        public boolean canEncodeNull(Class<?> type) {
            return false;
        }

        @Override
        public RawValue decode(@Nullable ByteBuf buffer, int dataType, Format format,
                               Class<? extends RawValue> type) {
            if (buffer == null) {
                throw new IllegalStateException("r2dbc-postgresql asked to decode a NULL"); // it returns null itself
            }
            boolean binary = format == Format.FORMAT_BINARY;
            int width = binary ? fixedWidth(dataType) : 0;
            if (width != 0 && buffer.readableBytes() == width) {
                return RawValue.fixed(dataType, width == 4 ? buffer.getInt(buffer.readerIndex())
                        : buffer.getLong(buffer.readerIndex()));
            }
            byte[] bytes = new byte[buffer.readableBytes()];
            buffer.getBytes(buffer.readerIndex(), bytes);
            return RawValue.of(dataType, binary, bytes);
        }

        @Override
        public EncodedParameter encode(Object value) {
            throw new UnsupportedOperationException("Sluice's raw value codec only decodes");
        }

        @Override
        public EncodedParameter encode(Object value, int dataType) {
            throw new UnsupportedOperationException("Sluice's raw value codec only decodes");
        }

        @Override
        public EncodedParameter encodeNull() {
            throw new UnsupportedOperationException("Sluice's raw value codec only decodes");
        }
    }

    /**
     * Encodes values of one type as binary parameters of one OID, their bytes as they are, without a copy; decodes
     * nothing (results keep the driver's own codecs).
     */
    private abstract static class BinaryEncoder<V> implements Codec<V> {
        private final Class<V> type;
        private final int oid;
        private final Function<V, byte[]> bytes;

        BinaryEncoder(Class<V> type, int oid, Function<V, byte[]> bytes) {
            this.type = type;
            this.oid = oid;
            this.bytes = bytes;
        }

        @Override
        public boolean canDecode(int dataType, Format format, Class<?> target) {
            return false;
        }

        @Override
        public boolean canEncode(Object value) {
            return type.isInstance(value);
        }

        @Override
        public boolean canEncodeNull(Class<?> target) {
            return false;
        }

        @Override
        public V decode(ByteBuf buffer, int dataType, Format format, Class<? extends V> target) {
            throw new UnsupportedOperationException("Sluice's " + type.getSimpleName() + " codec only encodes");
        }

        @Override
        public EncodedParameter encode(Object value) {
            byte[] encoded = bytes.apply(type.cast(value));
            return new EncodedParameter(Format.FORMAT_BINARY, oid,
                    Mono.fromSupplier(() -> Unpooled.wrappedBuffer(encoded)));
        }

        @Override
        public EncodedParameter encode(Object value, int dataType) {
            return encode(value);
        }
    }

    /** Encodes {@link BinaryBytea} as {@code bytea}. */
    private static final class BinaryByteaCodec extends BinaryEncoder<BinaryBytea> {

        BinaryByteaCodec() {
            super(BinaryBytea.class, BYTEA, BinaryBytea::bytes);
        }

        @Override
        public EncodedParameter encodeNull() {
            return new EncodedParameter(Format.FORMAT_BINARY, BYTEA, EncodedParameter.NULL_VALUE);
        }
    }

    /**
     * Encodes {@link UntypedBinary} as binary of no type (OID 0). PostgreSQL reads it with the binary input of the
     * type the statement casts the parameter to: how a batch of inserts goes as one binary array per column
     * ({@code unnest($1::int8[], ...)}).
     */
    private static final class UntypedBinaryCodec extends BinaryEncoder<UntypedBinary> {

        UntypedBinaryCodec() {
            super(UntypedBinary.class, UNSPECIFIED, UntypedBinary::bytes);
        }

        @Override
        public EncodedParameter encodeNull() {
            throw new UnsupportedOperationException("Sluice never binds a null untyped binary value");
        }
    }

    /**
     * Encodes {@link UntypedText} (and its null) as text of no type; decodes nothing. The driver binds a
     * {@code String} as {@code varchar}, which PostgreSQL does not convert to an enum, {@code json} or {@code jsonb}
     * column ("column is of type jsonb but expression is of type character varying"); a parameter of no type (OID 0)
     * is read as the column's type, as a quoted literal is. Without this extension an untyped value fails at once,
     * saying so ({@code ConnectionSession}).
     */
    private static final class UntypedTextCodec implements Codec<UntypedText> {

        @Override
        public boolean canDecode(int dataType, Format format, Class<?> type) {
            return false;
        }

        @Override
        public boolean canEncode(Object value) {
            return value instanceof UntypedText;
        }

        @Override
        public boolean canEncodeNull(Class<?> type) {
            return type == UntypedText.class;
        }

        @Override
        public UntypedText decode(ByteBuf buffer, int dataType, Format format, Class<? extends UntypedText> type) {
            throw new UnsupportedOperationException("Sluice's untyped text codec only encodes");
        }

        @Override
        public EncodedParameter encode(Object value) {
            byte[] text = ((UntypedText) value).text().getBytes(StandardCharsets.UTF_8);
            return new EncodedParameter(Format.FORMAT_TEXT, UNSPECIFIED,
                    Mono.fromSupplier(() -> Unpooled.wrappedBuffer(text)));
        }

        @Override
        public EncodedParameter encode(Object value, int dataType) {
            return encode(value);
        }

        @Override
        public EncodedParameter encodeNull() {
            return new EncodedParameter(Format.FORMAT_TEXT, UNSPECIFIED, EncodedParameter.NULL_VALUE);
        }
    }
}
