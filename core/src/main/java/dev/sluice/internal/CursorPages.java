package dev.sluice.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import dev.sluice.spi.Executor;
import dev.sluice.spi.Observer;
import dev.sluice.spi.RenderedSql;
import dev.sluice.spi.RowMapper;
import dev.sluice.spi.Session;
import dev.sluice.spi.TransactionOptions;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Streams a query through a server-side cursor in a read-only transaction: {@code DECLARE}, then one {@code FETCH}
 * per page as demand asks ({@link DemandPager}), then {@code CLOSE}; error and cancel roll the transaction back,
 * which closes the cursor too. In a transaction that is not ours (joined: {@link Executor#joinsTransaction()}),
 * nothing of ours rolls back, so error and cancel close the cursor instead.
 *
 * <p>When there are no relations to load per page, a subscriber that asks for every row at once, when the executor
 * can stop a statement on the server, gets the query as one statement instead ({@link WholeOrPaged}): no
 * transaction, no pages, and a cancel stops it on the server. A FETCH computes its whole page on the server before
 * sending it, so a cursor reads at about half the speed of one statement.
 */
final class CursorPages {

    /**
     * Numbers cursor names across every repository of the process: repositories that share a transaction (two of
     * them, or one and its {@code inTransaction} view, in one Spring transaction) share its connection, where a
     * cursor's name must be unique.
     */
    private static final AtomicLong CURSORS = new AtomicLong();

    private CursorPages() {
    }

    /** Runs statements on one session, each with an optional signal that stops it on the server. */
    @FunctionalInterface
    private interface Statements<T> {
        Publisher<T> apply(RenderedSql sql, @Nullable Mono<Void> stop);
    }

    /** The rows of a query of entities, each page's relations loaded before its rows are built. */
    static <T> Flux<T> entities(Fetcher fetcher, EntityFetch<T> fetch) {
        LoadPlan<?> plan = fetch.plan();
        return stream(fetcher.context(), plan.model().table(), fetch.sql().ordered(fetch.limit()),
                session -> (sql, stop) -> fetcher.rows(session, sql, plan, stop).map(fetch.finish()),
                fetcher.pageSizes(plan), plan.branches().isEmpty(), plan.model().table());
    }

    /** The rows of custom SQL, each matched to {@code R}'s components by name on the result's first row. */
    static <R> Flux<R> results(Fetcher fetcher, RenderedSql query, ResultMapper<R> mapper) {
        return stream(fetcher.context(), "none", query, session -> {
            RowMapper<R> rows = mapper.newMapper(); // matches columns on its result's first row
            return (sql, stop) -> Fetcher.run(session, sql, rows, stop);
        }, PageSizes.of(fetcher.context().settings()), true, "the rows of custom SQL");
    }

    /**
     * The rows, by cursor or as one statement; a lost connection is not retried (a cursor lives on its one
     * connection), and fails the stream with a {@link dev.sluice.ConnectionLostException} that says how many rows
     * were delivered.
     *
     * @param reading what is read, for that error (e.g. {@code picture})
     */
    private static <T> Flux<T> stream(RepoContext context, String table, RenderedSql query,
                                      Function<Session, Statements<T>> statements, PageSizes sizes, boolean whole,
                                      String reading) {
        Executor executor = context.executor();
        return Flux.defer(() -> {
            long[] delivered = {0};
            return stream(context, table, query, statements, sizes, whole).doOnNext(row -> delivered[0]++)
                    .onErrorMap(executor::retryableRead, error -> ReadRetry.lost(error, ReadRetry.GaveUp.CURSOR, 0,
                            reading, ReadRetry.Position.rows(delivered[0])));
        });
    }

    /**
     * @param table the table the query reads, for the observer ({@code none} for custom SQL)
     */
    private static <T> Flux<T> stream(RepoContext context, String table, RenderedSql query,
                                      Function<Session, Statements<T>> statements, PageSizes sizes, boolean whole) {
        Executor executor = context.executor();
        RepoSettings settings = context.settings();
        Flux<T> paged = executor.joinsTransaction().flatMapMany(joined -> executor.inTransaction(
                TransactionOptions.READ_ONLY, session -> {
            String cursor = "sluice_cursor_" + CURSORS.incrementAndGet();
            Statements<T> run = statements.apply(session);
            Flux<T> rows = DemandPager.create(() -> size -> Observed.statement(settings, Observer.Kind.CURSOR_FETCH,
                    table, run.apply(CursorSql.fetch(cursor, size), null)), sizes.min(), sizes.max(), Long.MAX_VALUE);
            Session cursors = observedUpdates(settings, table, session);
            RenderedSql declare = CursorSql.declare(cursor, query);
            RenderedSql close = CursorSql.close(cursor);
            if (joined) {
                return alwaysClosed(cursors, declare, rows, close);
            }
            return cursors.update(declare)
                    .thenMany(rows)
                    .concatWith(cursors.update(close).then(Mono.empty()));
        }));
        if (!whole) {
            return paged;
        }
        return executor.canStopStatements().flatMapMany(stoppable -> stoppable
                ? new WholeOrPaged<>(stop -> Observed.statement(settings, Observer.Kind.WHOLE, table,
                        statements.apply(executor).apply(query, stop)), paged) : paged);
    }

    /** {@code session}, whose updates (a cursor's DECLARE and CLOSE) are told to the observer as {@code cursor}. */
    private static Session observedUpdates(RepoSettings settings, String table, Session session) {
        if (settings.observer() == Observer.NONE) {
            return session;
        }
        return new Session() {
            @Override
            public <R> Flux<R> query(RenderedSql sql, RowMapper<R> mapper) {
                return session.query(sql, mapper);
            }

            @Override
            public Mono<Long> update(RenderedSql sql) {
                return Observed.statement(settings, Observer.Kind.CURSOR, table, session.update(sql));
            }
        };
    }

    /**
     * A cursor's rows in a transaction that someone else ends: closed when the rows complete, fail or are cancelled.
     * The DECLARE is never cancelled half-way (the cursor would exist, unknown to us); a cancel closes the cursor once
     * it is declared, after the page in flight (the statements of one session run in order). CLOSE is sent once at
     * most: a second would fail, and a failed statement aborts the owner's transaction. A CLOSE that fails after an
     * error (the transaction is aborted already) is ignored: the first error stands.
     */
    private static <T> Flux<T> alwaysClosed(Session session, RenderedSql declare, Flux<T> rows, RenderedSql close) {
        return Flux.defer(() -> {
            Sinks.One<Long> declared = Sinks.one();
            AtomicBoolean closing = new AtomicBoolean();
            Mono<Void> closeOnce = Mono.defer(() -> closing.compareAndSet(false, true)
                    ? session.update(close).then() : Mono.empty());
            Mono<Void> closeQuietly = declared.asMono().then(closeOnce).onErrorResume(e -> Mono.empty());
            session.update(declare).subscribe(declared::tryEmitValue, declared::tryEmitError);
            return declared.asMono()
                    .thenMany(rows)
                    .concatWith(closeOnce.then(Mono.empty()))
                    .onErrorResume(error -> closeQuietly.then(Mono.error(error)))
                    .doOnCancel(() -> closeQuietly.subscribe());
        });
    }
}
