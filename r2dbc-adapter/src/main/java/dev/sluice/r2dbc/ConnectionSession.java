package dev.sluice.r2dbc;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.sluice.SluiceException;
import dev.sluice.StatementListener;
import dev.sluice.spi.RenderedSql;
import dev.sluice.spi.RowMapper;
import dev.sluice.spi.RowView;
import dev.sluice.spi.Session;
import dev.sluice.spi.TypedNull;
import dev.sluice.spi.UntypedBinary;
import dev.sluice.spi.UntypedText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.ColumnMetadata;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.RowMetadata;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.Wrapped;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Runs statements on one R2DBC connection. Knows binding and decoding; knows nothing of entities or pages.
 */
final class ConnectionSession implements Session {

    /**
     * A fetch size that makes r2dbc-postgresql use the extended protocol for a statement without parameters (so
     * results come in binary when the factory forces it), while still fetching the whole result in one Execute.
     */
    private static final int EXTENDED_PROTOCOL_ALL_ROWS = Integer.MAX_VALUE;

    private final Connection connection;
    private final StatementListener listener;
    /** Null unless statements are logged with their values. */
    private final @Nullable StatementLog log;
    private Mono<Void> copyFinished = Mono.empty();
    /** Whether bytea parameters can go in binary on this connection ({@link SluiceCodecs}); null until known. */
    private @Nullable Boolean binaryBytea;
    /** Whether this connection lacks {@link SluiceCodecs}, so exact reads cannot be; null until known. */
    private @Nullable Boolean withoutExactReads;

    ConnectionSession(Connection connection, StatementListener listener) {
        this(connection, listener, null);
    }

    ConnectionSession(Connection connection, StatementListener listener, @Nullable StatementLog log) {
        this.connection = connection;
        this.listener = listener;
        this.log = log;
    }

    /** A row that could not be mapped fails the statement once it has ended (see {@link Mapping}). */
    @Override
    public <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper) {
        return Flux.defer(() -> {
            Mapping<T> mapping = new Mapping<>(mapper, null);
            return rows(sql, mapping).concatWith(mapping.failure());
        });
    }

    /**
     * Ends the statement with a PostgreSQL CancelRequest when {@code stop} signals, or when a row cannot be mapped,
     * if the connection is outside a transaction (a cancel inside one would abort it); otherwise the statement runs
     * to its end. However it ends, the rows complete or fail only once every CancelRequest sent is over, so the
     * connection goes back only when no late cancel signal can hit its next statement.
     */
    @Override
    public <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper, Publisher<?> stop) {
        return stoppable(sql, mapper, stop, false);
    }

    /**
     * As {@link #query(RenderedSql, RowMapper, Publisher)}, but inside a transaction too: the CancelRequest then
     * aborts it, which the caller reports. The rules of {@link StatementStop} hold the same: the rows end only once
     * the statement has ended and every request sent is over, so the transaction's next statement (its ROLLBACK) is
     * never hit.
     */
    @Override
    public <T> Flux<T> queryWithDeadline(RenderedSql sql, RowMapper<T> mapper, Publisher<?> deadline) {
        return stoppable(sql, mapper, deadline, true);
    }

    private <T> Flux<T> stoppable(RenderedSql sql, RowMapper<T> mapper, Publisher<?> stop, boolean inTransaction) {
        return Flux.defer(() -> {
            PostgresqlConnection postgres = postgres();
            if (postgres == null || !inTransaction && !connection.isAutoCommit()) {
                return query(sql, mapper);
            }
            StatementStop control = new StatementStop(postgres);
            Mapping<T> mapping = new Mapping<>(mapper, control);
            Disposable watch = Flux.from(stop).take(1).subscribe(signal -> control.stop(), error -> control.stop(),
                    control::stop);
            return rows(sql, mapping)
                    .onErrorResume(control::endedByStop, error -> Mono.empty())
                    .onErrorResume(error -> Mono.defer(control::ended).then(Mono.error(error)))
                    .concatWith(Mono.defer(control::ended).then(Mono.empty()))
                    .concatWith(mapping.failure())
                    .doFinally(signal -> watch.dispose());
        });
    }

    private <T> Flux<T> rows(RenderedSql sql, Mapping<T> mapping) {
        Statement statement = statement(sql);
        if (sql.bindings().isEmpty()) {
            statement.fetchSize(EXTENDED_PROTOCOL_ALL_ROWS);
        }
        CurrentRow current = new CurrentRow(this);
        return Flux.from(statement.execute())
                .concatMap(result -> result.map((row, metadata) -> mapping.map(current.at(row, metadata))))
                .handle((mapped, sink) -> {
                    if (mapped != Mapping.SKIPPED) {
                        sink.next(mapping.cast(mapped));
                    }
                });
    }

    @Override
    public Mono<Long> update(RenderedSql sql) {
        return Flux.defer(() -> Flux.from(statement(sql).execute()))
                .concatMap(Result::getRowsUpdated)
                .reduce(0L, Long::sum);
    }

    /**
     * Streams the chunks through r2dbc-postgresql's {@code copyIn}, one CopyData per chunk, as the driver asks.
     *
     * <p>A cancel never reaches the driver: r2dbc-postgresql 1.1.1, cancelled mid-COPY, can write a CopyData it has
     * already released ("IllegalReferenceCountException: refCnt: 0") and close the connection, which a pool may hand
     * out before it notices. Instead the input ends with an error, so the driver sends CopyFail: the server aborts the
     * COPY (nothing is written) and the connection stays usable. {@link #copyFinished()} tells when that is over, so
     * the connection is released only then.
     */
    @Override
    public Mono<Long> copyIn(String sql, Publisher<byte[]> chunks) {
        return Mono.defer(() -> {
            PostgresqlConnection postgres = postgres();
            if (postgres == null) {
                return Mono.error(new UnsupportedOperationException("copyIn needs an r2dbc-postgresql connection, "
                        + "but the factory gives " + connection.getClass().getName()));
            }
            listener.onStatement(sql);
            if (log != null) {
                log.log(sql, List.of());
            }
            AtomicBoolean cancelled = new AtomicBoolean();
            Sinks.Empty<Void> stop = Sinks.empty();
            Flux<Mono<ByteBuf>> input = Flux.from(chunks)
                    .takeUntilOther(stop.asMono())
                    .concatWith(Mono.defer(() -> cancelled.get()
                            ? Mono.<byte[]>error(new CancellationException("copyIn was cancelled")) : Mono.empty()))
                    .map(chunk -> Mono.fromCallable(() -> Unpooled.wrappedBuffer(chunk)));
            Sinks.One<Long> result = Sinks.one();
            Mono<Long> copy = postgres.copyIn(sql).fromMany(input).build();
            copyFinished = result.asMono().then().onErrorResume(e -> Mono.empty());
            copy.subscribe(rows -> result.tryEmitValue(rows), result::tryEmitError, result::tryEmitEmpty);
            return result.asMono().doOnCancel(() -> {
                cancelled.set(true);
                stop.tryEmitEmpty();
            });
        });
    }

    Connection connection() {
        return connection;
    }

    /** Yes when this connection has {@link SluiceCodecs}. */
    @Override
    public Mono<Boolean> bindsBinary() {
        return Mono.fromSupplier(this::binaryBytea);
    }

    /** Completes when the last {@link #copyIn} on this session has ended, however it ended; at once if none ran. */
    Mono<Void> copyFinished() {
        return copyFinished;
    }

    private Statement statement(RenderedSql sql) {
        listener.onStatement(sql.sql());
        if (log != null) {
            log.log(sql.sql(), sql.bindings());
        }
        Statement statement = connection.createStatement(sql.sql());
        List<Object> bindings = sql.bindings();
        for (int i = 0; i < bindings.size(); i++) {
            Object value = bindings.get(i);
            // untyped text is bound by SluiceCodecs, registered exactly where bytea goes in binary
            if ((value instanceof UntypedText || value instanceof TypedNull n && n.type() == UntypedText.class)
                    && !binaryBytea()) {
                throw new IllegalStateException("Sluice writes the values of enum, json and jsonb columns (and "
                        + "doubles into numeric[]) as text of the column's own type, through its r2dbc-postgresql "
                        + "extension SluiceCodecs, but this connection was made without it (autodetectExtensions="
                        + "false, or another driver); let the driver autodetect extensions, or register new "
                        + "SluiceCodecs() with the connection configuration");
            }
            if (value instanceof UntypedBinary && !binaryBytea()) {
                throw new IllegalStateException("Sluice binds a value in binary through its r2dbc-postgresql extension "
                        + "SluiceCodecs, but this connection was made without it; ask bindsBinary() first");
            }
            if (value instanceof TypedNull typedNull) {
                statement.bindNull(i, typedNull.type());
            } else if (value instanceof byte[] bytes && binaryBytea()) {
                statement.bind(i, new SluiceCodecs.BinaryBytea(bytes));
            } else {
                statement.bind(i, value);
            }
        }
        return statement;
    }

    private boolean binaryBytea() {
        Boolean known = binaryBytea;
        if (known == null) {
            PostgresqlConnection postgres = postgres();
            known = postgres != null && SluiceCodecs.registeredOn(postgres);
            binaryBytea = known;
        }
        return known;
    }

    /**
     * Fails if this connection is known to lack {@link SluiceCodecs}, which reading {@code column} exactly needs. A
     * connection that cannot be told (wrapped in something other than {@link Wrapped}) is tried; the driver's failure
     * to decode is reported the same way ({@link #missingExtension}).
     */
    private void requireExactReads(ExactColumns.Exact column) {
        Boolean without = withoutExactReads;
        if (without == null) {
            PostgresqlConnection postgres = postgres();
            without = postgres != null && !SluiceCodecs.registeredOn(postgres);
            withoutExactReads = without;
        }
        if (without) {
            throw missingExtension(column, null);
        }
    }

    private static SluiceException missingExtension(ExactColumns.Exact column, @Nullable Throwable cause) {
        String message = "Column " + column.name() + " is " + column.sqlType() + ", which Sluice decodes itself, to "
                + "read every value exactly, through its r2dbc-postgresql extension " + SluiceCodecs.class.getName()
                + "; this connection was made without it (was its factory built with autodetectExtensions(false)?). "
                + "Register it: PostgresqlConnectionConfiguration.builder().extendWith(new SluiceCodecs()), or leave "
                + "autodetectExtensions on";
        return cause == null ? new SluiceException(message) : new SluiceException(message, cause);
    }

    /** The r2dbc-postgresql connection under the pool's wrappers; null for another driver. */
    private @Nullable PostgresqlConnection postgres() {
        Object target = connection;
        while (!(target instanceof PostgresqlConnection) && target instanceof Wrapped<?> wrapped
                && wrapped.unwrap() != target) {
            target = wrapped.unwrap();
        }
        return target instanceof PostgresqlConnection postgres ? postgres : null;
    }

    /**
     * Maps the rows of one statement. A row that cannot be mapped (a NULL in a primitive component, an unknown enum
     * name) never cancels the result on the driver, which would read the rest of it off the socket behind the
     * pool's back (and can wedge the connection): the statement is stopped on the server when it can be, the rows
     * still to come are dropped unmapped, and {@link #failure()} fails once the statement has ended.
     */
    private static final class Mapping<T> {
        /** Stands for a row not mapped: after a failure, every row of the statement. */
        static final Object SKIPPED = new Object();

        private final RowMapper<T> mapper;
        private final @Nullable StatementStop control;
        // touched only by the statement's row callbacks, which the driver calls one after another
        private @Nullable RuntimeException failure;

        Mapping(RowMapper<T> mapper, @Nullable StatementStop control) {
            this.mapper = mapper;
            this.control = control;
        }

        Object map(RowView row) {
            if (control != null) {
                control.rowArrived();
            }
            if (failure != null) {
                return SKIPPED;
            }
            try {
                return mapper.map(row);
            } catch (RuntimeException e) {
                failure = e;
                if (control != null) {
                    control.stop();
                }
                return SKIPPED;
            }
        }

        @SuppressWarnings("unchecked")
        T cast(Object mapped) {
            return (T) mapped;
        }

        /** Completes when every row was mapped, or fails with the first row's error that was not. */
        Mono<T> failure() {
            return Mono.defer(() -> failure == null ? Mono.empty() : Mono.error(failure));
        }
    }

    /**
     * One reusable view per statement: the row is valid only inside the mapping callback. Columns whose values the
     * driver would change ({@link ExactColumns}) are decoded by Sluice from their raw bytes; which ones is worked out
     * once per result, when its metadata changes; every other column reads through the driver's codec.
     */
    private static final class CurrentRow implements RowView {
        /** PostgreSQL's first OID of a type not built in (an extension's, an enum's): {@code FirstNormalObjectId}. */
        private static final int FIRST_USER_OID = 16384;

        private final ConnectionSession session;
        private @Nullable Row row;
        private @Nullable RowMetadata metadata;
        private ExactColumns.@Nullable Exact[] exact = ExactColumns.NONE;
        private boolean exactReadsChecked;

        CurrentRow(ConnectionSession session) {
            this.session = session;
        }

        RowView at(Row row, RowMetadata metadata) {
            if (metadata != this.metadata) {
                this.metadata = metadata;
                this.exact = ExactColumns.of(metadata);
            }
            this.row = row;
            return this;
        }

        @Override
        public <V> @Nullable V get(int index, Class<V> type) {
            Row current = this.row;
            if (current == null) {
                throw new IllegalStateException("row read outside its mapping callback");
            }
            ExactColumns.@Nullable Exact[] columns = exact;
            ExactColumns.@Nullable Exact column = index < columns.length ? columns[index] : null;
            if (column == null && type == String[].class) {
                return type.cast(textArray(current, index));
            }
            if (column == null && type == String.class) {
                return type.cast(text(current, index));
            }
            if (column == null || column.byDriver(type)) {
                return current.get(index, type);
            }
            return type.cast(exactly(current, index, column, type));
        }

        /**
         * A value read as {@code String}. The binary form of {@code ltree} (an extension type, whose OID differs per
         * database) is a version byte, 1, before its text, which the driver hands over as a first character
         * U+0001: dropped here. No text of such a type starts with U+0001 (an ltree label holds letters, digits,
         * {@code _} and {@code -}; an enum label would have to be written with it on purpose).
         */
        private @Nullable String text(Row current, int index) {
            String value = current.get(index, String.class);
            if (value != null && !value.isEmpty() && value.charAt(0) == '\u0001'
                    && metadata != null && metadata.getColumnMetadata(index).getNativeTypeMetadata() instanceof Integer oid
                    && oid >= FIRST_USER_OID) {
                return value.substring(1);
            }
            return value;
        }

        /**
         * An array read as {@code String[]}: through the driver where it knows the type (text[], varchar[]), else (an
         * array of a PostgreSQL enum, whose type OID differs per database) from its raw bytes, each element's text.
         */
        private String @Nullable [] textArray(Row current, int index) {
            try {
                return current.get(index, String[].class);
            } catch (IllegalArgumentException driverCannot) {
                SluiceCodecs.RawValue raw;
                try {
                    raw = current.get(index, SluiceCodecs.RawValue.class);
                } catch (IllegalArgumentException e) {
                    driverCannot.addSuppressed(e);
                    throw driverCannot;
                }
                if (raw == null) {
                    return null;
                }
                return WireValues.array(raw.bytes(), raw.binary(), WireValues::utf8).toArray(String[]::new);
            }
        }

        private @Nullable Object exactly(Row current, int index, ExactColumns.Exact column, Class<?> type) {
            if (!exactReadsChecked) {
                session.requireExactReads(column);
                exactReadsChecked = true;
            }
            SluiceCodecs.RawValue raw;
            try {
                raw = current.get(index, SluiceCodecs.RawValue.class);
            } catch (IllegalArgumentException e) { // "Cannot decode value of type ...RawValue": no SluiceCodecs
                throw missingExtension(column, e);
            }
            return raw == null ? null : ExactColumns.read(column, raw, type);
        }

        @Override
        public List<String> columnNames() {
            Row current = this.row;
            if (current == null) {
                throw new IllegalStateException("row read outside its mapping callback");
            }
            return current.getMetadata().getColumnMetadatas().stream().map(ColumnMetadata::getName).toList();
        }
    }
}
