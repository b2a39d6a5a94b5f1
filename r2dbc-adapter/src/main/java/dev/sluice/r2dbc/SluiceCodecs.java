package dev.sluice.r2dbc;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

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
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * Sluice's r2dbc-postgresql extension, found by the driver through {@code ServiceLoader} (its
 * {@code autodetectExtensions}, on by default): lets Sluice send {@code bytea} parameters in binary. Not for direct
 * use; it affects only values Sluice binds, and no other type.
 *
 * <p>Why: r2dbc-postgresql 1.1 sends every {@code byte[]} parameter as hex text, even on a {@code forceBinary}
 * factory, so a 1 KiB value costs 2 KiB on the wire and a per-byte encode on the client and decode on the server.
 * The profile of a batched 1 KiB insert had a third of the client's time in that hex encoding. In binary the
 * array is sent as it is, without a copy.
 *
 * <p>When a connection was created without this extension (extensions not autodetected, or another driver), Sluice
 * binds the plain {@code byte[]} and the driver's hex encoding applies, slower but the same values.
 */
public final class SluiceCodecs implements CodecRegistrar {

    /** PostgreSQL's type OID of {@code bytea}. */
    private static final int BYTEA = 17;
    /** No type: the server infers the parameter's type from the statement. */
    private static final int UNSPECIFIED = 0;

    /** Connections this extension registered its codec on; weak, so it holds none of them alive. */
    private static final Map<PostgresqlConnection, Boolean> REGISTERED =
            Collections.synchronizedMap(new WeakHashMap<>());

    /** Called by r2dbc-postgresql's {@code ServiceLoader}. */
    public SluiceCodecs() {
    }

    @Override
    public Publisher<Void> register(PostgresqlConnection connection, ByteBufAllocator allocator,
                                    CodecRegistry registry) {
        return Mono.fromRunnable(() -> {
            registry.addFirst(new UntypedTextCodec());
            registry.addFirst(new BinaryByteaCodec());
            REGISTERED.put(connection, Boolean.TRUE);
        });
    }

    /** Whether {@code connection} can encode a {@link BinaryBytea}. */
    static boolean registeredOn(PostgresqlConnection connection) {
        return REGISTERED.containsKey(connection);
    }

    /** A {@code bytea} parameter for Sluice's codec: binds {@code bytes} in binary, as they are. */
    record BinaryBytea(byte[] bytes) {
    }

    /** Encodes {@link BinaryBytea} only; decodes nothing (results keep the driver's own codecs). */
    private static final class BinaryByteaCodec implements Codec<BinaryBytea> {

        @Override
        public boolean canDecode(int dataType, Format format, Class<?> type) {
            return false;
        }

        @Override
        public boolean canEncode(Object value) {
            return value instanceof BinaryBytea;
        }

        @Override
        public boolean canEncodeNull(Class<?> type) {
            return false;
        }

        @Override
        public BinaryBytea decode(ByteBuf buffer, int dataType, Format format, Class<? extends BinaryBytea> type) {
            throw new UnsupportedOperationException("Sluice's bytea codec only encodes");
        }

        @Override
        public EncodedParameter encode(Object value) {
            byte[] bytes = ((BinaryBytea) value).bytes();
            return new EncodedParameter(Format.FORMAT_BINARY, BYTEA,
                    Mono.fromSupplier(() -> Unpooled.wrappedBuffer(bytes)));
        }

        @Override
        public EncodedParameter encode(Object value, int dataType) {
            return encode(value);
        }

        @Override
        public EncodedParameter encodeNull() {
            return new EncodedParameter(Format.FORMAT_BINARY, BYTEA, EncodedParameter.NULL_VALUE);
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
