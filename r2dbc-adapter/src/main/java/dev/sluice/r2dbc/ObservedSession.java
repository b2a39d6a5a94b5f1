package dev.sluice.r2dbc;

import dev.sluice.spi.RenderedSql;
import dev.sluice.spi.RowMapper;
import dev.sluice.spi.Session;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The session of a connection pinned for a transaction, each statement observed; no connection is borrowed per
 * statement, so no wait or hold is timed ({@link StatementObserver.Borrow#PINNED}).
 */
final class ObservedSession implements Session {

    private final Session session;
    private final StatementObserver observer;

    ObservedSession(Session session, StatementObserver observer) {
        this.session = session;
        this.observer = observer;
    }

    @Override
    public <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper) {
        return observer.statement(sql.sql(), pinned -> session.query(sql, mapper));
    }

    @Override
    public <T> Flux<T> query(RenderedSql sql, RowMapper<T> mapper, Publisher<?> stop) {
        return observer.statement(sql.sql(), pinned -> session.query(sql, mapper, stop));
    }

    @Override
    public <T> Flux<T> queryWithDeadline(RenderedSql sql, RowMapper<T> mapper, Publisher<?> deadline) {
        return observer.statement(sql.sql(), pinned -> session.queryWithDeadline(sql, mapper, deadline));
    }

    @Override
    public Mono<Long> update(RenderedSql sql) {
        return observer.update(sql.sql(), pinned -> session.update(sql));
    }

    @Override
    public Mono<Boolean> bindsBinary() {
        return session.bindsBinary();
    }

    @Override
    public Mono<Long> copyIn(String sql, Publisher<byte[]> chunks) {
        return observer.update(sql, pinned -> session.copyIn(sql, chunks));
    }
}
