package dev.sluice.r2dbc;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.sluice.StatementListener;
import dev.sluice.spi.RenderedSql;
import dev.sluice.spi.RowMapper;
import dev.sluice.spi.RowView;
import dev.sluice.spi.Session;
import dev.sluice.spi.TypedNull;
import dev.sluice.spi.UntypedText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.ColumnMetadata;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Row;
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
    private Mono<Void> copyFinished = Mono.empty();
    /** Whether bytea parameters can go in binary on this connection ({@link SluiceCodecs}); null until known. */
    private @Nullable Boolean binaryBytea;

    ConnectionSession(Connection connection, StatementListener listener) {
        this.connection = connection;
        this.listener = listener;
    }

    @Override
    public <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper) {
        return Flux.defer(() -> rows(sql, mapper, null));
    }

    /**
     * Ends the statement with a PostgreSQL CancelRequest when {@code stop} signals, if the connection is outside a
     * transaction (a cancel inside one would abort it); otherwise the statement runs to its end.
     */
    @Override
    public <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper, Publisher<?> stop) {
        return Flux.defer(() -> {
            PostgresqlConnection postgres = postgres();
            if (postgres == null || !connection.isAutoCommit()) {
                return rows(sql, mapper, null);
            }
            StatementStop control = new StatementStop(postgres);
            Disposable watch = Flux.from(stop).take(1).subscribe(signal -> control.stop(), error -> control.stop(),
                    control::stop);
            return rows(sql, mapper, control)
                    .onErrorResume(control::endedByStop, error -> Mono.empty())
                    .concatWith(Mono.defer(control::ended).then(Mono.empty()))
                    .doFinally(signal -> watch.dispose());
        });
    }

    private <T> Flux<T> rows(RenderedSql sql, RowMapper<T> mapper, @Nullable StatementStop control) {
        Statement statement = statement(sql);
        if (sql.bindings().isEmpty()) {
            statement.fetchSize(EXTENDED_PROTOCOL_ALL_ROWS);
        }
        CurrentRow current = new CurrentRow();
        return Flux.from(statement.execute()).concatMap(result -> result.map((row, metadata) -> {
            if (control != null) {
                control.rowArrived();
            }
            return mapper.map(current.at(row));
        }));
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

    /** Completes when the last {@link #copyIn} on this session has ended, however it ended; at once if none ran. */
    Mono<Void> copyFinished() {
        return copyFinished;
    }

    private Statement statement(RenderedSql sql) {
        listener.onStatement(sql.sql());
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

    /** The r2dbc-postgresql connection under the pool's wrappers; null for another driver. */
    private @Nullable PostgresqlConnection postgres() {
        Object target = connection;
        while (!(target instanceof PostgresqlConnection) && target instanceof Wrapped<?> wrapped
                && wrapped.unwrap() != target) {
            target = wrapped.unwrap();
        }
        return target instanceof PostgresqlConnection postgres ? postgres : null;
    }

    /** One reusable view per statement: the row is valid only inside the mapping callback. */
    private static final class CurrentRow implements RowView {
        private @Nullable Row row;

        RowView at(Row row) {
            this.row = row;
            return this;
        }

        @Override
        public <V> @Nullable V get(int index, Class<V> type) {
            Row current = this.row;
            if (current == null) {
                throw new IllegalStateException("row read outside its mapping callback");
            }
            return current.get(index, type);
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
