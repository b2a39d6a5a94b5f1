package dev.sluice.internal;

import java.util.function.Function;

import dev.sluice.spi.DatabaseError;
import dev.sluice.spi.Executor;
import dev.sluice.spi.RenderedSql;
import dev.sluice.spi.RowMapper;
import dev.sluice.spi.Session;
import dev.sluice.spi.TransactionOptions;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The executor of a repository inside a transaction: every statement runs on the transaction's session (its one
 * connection), and {@link #inTransaction} joins the open transaction (its options are ignored).
 */
final class JoinedExecutor implements Executor {

    private final Session session;
    private final Executor outer;

    JoinedExecutor(Session session, Executor outer) {
        this.session = session;
        this.outer = outer;
    }

    @Override
    public @Nullable DatabaseError databaseError(Throwable error) {
        return outer.databaseError(error);
    }

    @Override
    public boolean retryableRead(Throwable error) {
        return outer.retryableRead(error);
    }

    @Override
    public <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper) {
        return session.query(sql, mapper);
    }

    @Override
    public <T> Flux<T> queryWithDeadline(RenderedSql sql, RowMapper<T> mapper, Publisher<?> deadline) {
        return session.queryWithDeadline(sql, mapper, deadline);
    }

    @Override
    public Mono<Long> update(RenderedSql sql) {
        return session.update(sql);
    }

    @Override
    public Mono<Long> copyIn(String sql, Publisher<byte[]> chunks) {
        return session.copyIn(sql, chunks);
    }

    @Override
    public Mono<Boolean> bindsBinary() {
        return session.bindsBinary();
    }

    @Override
    public Mono<Boolean> joinsTransaction() {
        return Mono.just(true);
    }

    @Override
    public <T> Flux<T> inTransaction(TransactionOptions options, Function<Session, ? extends Publisher<T>> work) {
        return Flux.defer(() -> work.apply(session));
    }
}
