package dev.sluice.internal;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import dev.sluice.spi.Executor;
import dev.sluice.spi.Observer;
import dev.sluice.spi.RenderedSql;
import dev.sluice.spi.RowMapper;
import dev.sluice.spi.Session;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * The fetch engine: every read of a repository runs here. A query's rows stream by its {@link FetchStrategy}
 * (keyset pages or a cursor); lookups, counts and later loads run single statements. Each page, window or lookup
 * goes through one step, {@link #rows}: the rows of a statement, then, when the plan has relations, their relations
 * loaded into them ({@link #window}).
 *
 * <pre>
 * Repo -> DefaultQuery (plan, SelectSql) -> Fetcher.stream -> FetchStrategy -> KeysetPages | CursorPages
 *      -> DemandPager (page sizes from demand) -> Fetcher.rows -> Executor (adapter) -> rows -> finish
 * </pre>
 */
final class Fetcher {

    /**
     * One window of rows: read, then their relations loaded into them. Each step runs once however often it is
     * subscribed to, so a window can be started ahead and picked up later.
     *
     * @param rows   the statement's rows, as argument arrays
     * @param loaded the same rows, once every relation of the plan is set in them
     */
    record Window(Mono<List<Object[]>> rows, Mono<List<Object[]>> loaded) {
    }

    private final RepoContext context;
    private final RelationLoader relations;
    /** Whether the statements already run where they should: on the primary, or on the server of one read. */
    private final boolean routed;

    Fetcher(RepoContext context) {
        this(context, false);
    }

    private Fetcher(RepoContext context, boolean routed) {
        this.context = context;
        this.relations = new RelationLoader(context.dialect(), context.settings());
        this.routed = routed;
    }

    /** A fetch engine whose statements are cancelled on the server after {@code timeout} ({@link TimedExecutor}). */
    Fetcher timed(Duration timeout) {
        return new Fetcher(context.timed(timeout), routed);
    }

    /** A fetch engine whose reads run on the repository's own executor (the primary), never a read replica. */
    Fetcher onPrimary() {
        return new Fetcher(context, true);
    }

    /**
     * The fetch engine of one read: every statement on the server the executor picks for it now
     * ({@link dev.sluice.spi.Executor#forRead()}, a read replica), or as this one when already routed.
     */
    Fetcher forRead() {
        return routed ? this : new Fetcher(context.withExecutor(context.executor().forRead()), true);
    }

    RepoContext context() {
        return context;
    }

    /** Streams the rows of a query of entities by its strategy, once its entities are checked. */
    <T> Flux<T> stream(EntityFetch<T> fetch) {
        return Observed.stream(context.settings(), fetch.plan().model().type(), fetch.strategy().observed(),
                Flux.defer(() -> {
                    Fetcher read = forRead();
                    return read.context.checked(fetch.plan()).thenMany(fetch.strategy().stream(read, fetch));
                }));
    }

    /** Streams the rows of custom SQL, mapped to {@code R} by column name, through a cursor. */
    <R> Flux<R> stream(RenderedSql query, ResultMapper<R> mapper) {
        return Observed.stream(context.settings(), mapper.type(), Observer.Strategy.CURSOR,
                Flux.defer(() -> CursorPages.results(forRead(), query, mapper)));
    }

    /**
     * The first row of {@code sql} (a lookup by key), built with its relations; run again on another connection when
     * its connection is lost ({@link ReadRetry}).
     */
    <T> Mono<T> first(LoadPlan<?> plan, RenderedSql sql, Function<Object[], T> finish) {
        return Mono.defer(() -> {
            Fetcher read = forRead();
            Executor executor = read.context.executor();
            return read.context.checked(plan).thenMany(Observed.statement(context.settings(), Observer.Kind.LOOKUP,
                    plan.model().table(), retry().whole(executor, () -> read.rows(executor, sql, plan, null),
                            plan.model().table(), this::retried))).map(finish).next();
        });
    }

    /** A {@code count(*)} statement's count; run again on another connection when its connection is lost. */
    Mono<Long> count(EntityModel<?> model, RenderedSql sql) {
        return Mono.defer(() -> {
            RepoContext read = forRead().context;
            Executor executor = read.executor();
            return read.checked(model).then(Observed.statement(context.settings(), Observer.Kind.COUNT,
                    model.table(), retry().whole(executor,
                            () -> executor.query(sql, row -> Objects.requireNonNull(row.get(0, Long.class))),
                            model.table(), this::retried).single()));
        });
    }

    /**
     * The rows of one page: without relations they stream as the statement sends them (stoppable on the server when
     * {@code stop} is given); with relations the page is read whole, its result completes, and only then do its
     * relations load, so no statement ever waits behind an open result on the same connection.
     *
     * @param stop null, or when to stop the statement early on the server
     */
    Flux<Object[]> rows(Session session, RenderedSql sql, LoadPlan<?> plan, @Nullable Mono<Void> stop) {
        if (plan.branches().isEmpty()) {
            return run(session, sql, plan.reader(), stop);
        }
        return window(session, sql, plan).loaded().flatMapIterable(Function.identity());
    }

    /** A window of {@code sql}'s rows and their relations, not started. */
    Window window(Session session, RenderedSql sql, LoadPlan<?> plan) {
        Mono<List<Object[]>> rows = session.query(sql, plan.reader()).collectList().cache();
        Mono<List<Object[]>> loaded = rows.flatMap(list -> relations.load(plan, list, session).thenReturn(list))
                .cache();
        return new Window(rows, loaded);
    }

    /**
     * As {@link #window(Session, RenderedSql, LoadPlan)} on the context's executor, run again whole (its rows, then
     * its relations) when it loses its connection ({@link ReadRetry}); a read given up fails with a
     * {@link ReadRetry.GivenUp}. After a run again, {@code loaded} is another list than the first run's {@code rows}:
     * the rows to go on after are {@code loaded}'s.
     */
    Window retriedWindow(RenderedSql sql, LoadPlan<?> plan) {
        Executor executor = context.executor();
        Window first = window(executor, sql, plan);
        Mono<List<Object[]>> loaded = retry().run(executor,
                attempt -> attempt == 0 ? first.loaded() : window(executor, sql, plan).loaded(), null, this::retried)
                .next().cache();
        Mono<List<Object[]>> rows = first.rows().onErrorResume(executor::retryableRead, error -> loaded).cache();
        return new Window(rows, loaded);
    }

    /** How reads are run again after a lost connection. */
    ReadRetry retry() {
        return context.settings().readRetry();
    }

    /** Counts a run again on the stream whose statements run in {@code streamContext}, for the observer. */
    void retried(ContextView streamContext) {
        Observed.retried(context.settings(), streamContext);
    }

    /** The page sizes of a stream reading {@code plan}. */
    PageSizes pageSizes(LoadPlan<?> plan) {
        return PageSizes.of(context.settings(), plan);
    }

    /** Runs {@code sql} on {@code session}, stoppable on the server when {@code stop} is given. */
    static <T> Flux<T> run(Session session, RenderedSql sql, RowMapper<T> mapper, @Nullable Mono<Void> stop) {
        return stop == null ? session.query(sql, mapper) : session.query(sql, mapper, stop);
    }
}
