package dev.sluice.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.sluice.Delete;
import dev.sluice.Isolation;
import dev.sluice.Query;
import dev.sluice.QueryException;
import dev.sluice.Repo;
import dev.sluice.Update;
import dev.sluice.Upsert;
import dev.sluice.spi.Executor;
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
 * The repository every adapter hands out: plans queries and runs them through the adapter's {@link Executor}.
 * Public only so adapters can create it; unstable API.
 */
public final class CoreRepo implements Repo {

    /**
     * Numbers cursor names across every repository of the process: repositories that share a transaction (two of
     * them, or one and its {@code inTransaction} view, in one Spring transaction) share its connection, where a
     * cursor's name must be unique.
     */
    private static final AtomicLong CURSORS = new AtomicLong();

    private final Executor executor;
    private final RepoSettings settings;
    private final PostgresDialect dialect = PostgresDialect.INSTANCE;
    private final ConcurrentMap<Class<?>, Mono<Map<String, TableCheck.ColumnInfo>>> checks;
    private final ConcurrentMap<Class<?>, EntityMapper<?>> mappers;
    private final Writes writes = new Writes(this);
    private final RelationLoader relations = new RelationLoader(dialect);

    private CoreRepo(Executor executor, RepoSettings settings) {
        this.executor = executor;
        this.settings = settings;
        this.checks = new ConcurrentHashMap<>();
        this.mappers = new ConcurrentHashMap<>();
    }

    /** A repository inside a transaction: runs on {@code executor}, shares the caches of {@code parent}. */
    private CoreRepo(Executor executor, CoreRepo parent) {
        this.executor = executor;
        this.settings = parent.settings;
        this.checks = parent.checks;
        this.mappers = parent.mappers;
    }

    /** A repository that runs its statements through {@code executor}. */
    public static Repo create(Executor executor, RepoSettings settings) {
        return new CoreRepo(Objects.requireNonNull(executor, "executor"), Objects.requireNonNull(settings, "settings"));
    }

    @Override
    public <T> Query<T> select(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return DefaultQuery.of(this, EntityModel.of(type));
    }

    @Override
    public <T> Mono<T> findById(Class<T> type, Object... key) {
        return select(type).findById(key);
    }

    @Override
    public <T> Mono<T> load(T entity, String... names) {
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(names, "names");
        return new Loads<>(this, modelOf(entity), names).loadAll(Flux.just(entity)).single();
    }

    @Override
    public <T> Flux<T> loadAll(Publisher<T> entities, String... names) {
        Objects.requireNonNull(entities, "entities");
        Objects.requireNonNull(names, "names");
        return Flux.from(entities).switchOnFirst((first, all) -> {
            T entity = first.get();
            return entity == null ? all : new Loads<>(this, modelOf(entity), names).loadAll(all);
        });
    }

    @Override
    public <R> Flux<R> query(Class<R> type, String sql, Object... args) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(args, "args");
        ResultMapper<R> mapper = ResultMapper.of(type);
        RenderedSql statement = Condition.renderAlone(sql, args, "query(" + type.getSimpleName() + ".class, \""
                + sql + "\")");
        return cursor(statement, session -> {
            RowMapper<R> rows = mapper.newMapper(); // matches columns on its result's first row
            return (fetch, stop) -> rows(session, fetch, rows, stop);
        }, settings.minPageSize(), settings.maxPageSize(), true);
    }

    @SuppressWarnings("unchecked")
    private static <T> EntityModel<T> modelOf(T entity) {
        return EntityModel.of((Class<T>) entity.getClass());
    }

    @Override
    public <T> Mono<T> insert(T entity) {
        return writes.insert(Objects.requireNonNull(entity, "entity"));
    }

    @Override
    public <T> Flux<T> insertAll(Publisher<T> entities) {
        return writes.insertAll(Objects.requireNonNull(entities, "entities"));
    }

    @Override
    public <T> Upsert<T> upsert(Class<T> type) {
        return new DefaultUpsert<>(writes, EntityModel.of(Objects.requireNonNull(type, "type")), List.of(), null);
    }

    @Override
    public <T> Mono<T> update(T entity) {
        return writes.update(Objects.requireNonNull(entity, "entity"));
    }

    @Override
    public <T> Mono<Void> delete(T entity) {
        return writes.delete(Objects.requireNonNull(entity, "entity"));
    }

    @Override
    public <T> Update<T> update(Class<T> type) {
        return new DefaultUpdate<>(writes, EntityModel.of(Objects.requireNonNull(type, "type")), List.of(), List.of());
    }

    @Override
    public <T> Delete<T> delete(Class<T> type) {
        return new DefaultDelete<>(writes, EntityModel.of(Objects.requireNonNull(type, "type")), List.of());
    }

    @Override
    public <T> Mono<Long> copyIn(Class<T> type, Publisher<T> rows) {
        return writes.copyIn(EntityModel.of(Objects.requireNonNull(type, "type")), Objects.requireNonNull(rows, "rows"));
    }

    @Override
    public <R> Flux<R> inTransaction(Function<Repo, ? extends Publisher<R>> work) {
        return transaction(TransactionOptions.DEFAULT, Objects.requireNonNull(work, "work"));
    }

    @Override
    public <R> Flux<R> inTransaction(Isolation isolation, Function<Repo, ? extends Publisher<R>> work) {
        return transaction(new TransactionOptions(false, Objects.requireNonNull(isolation, "isolation")),
                Objects.requireNonNull(work, "work"));
    }

    private <R> Flux<R> transaction(TransactionOptions options, Function<Repo, ? extends Publisher<R>> work) {
        return executor.inTransaction(options,
                session -> work.apply(new CoreRepo(new JoinedExecutor(session, executor), this)));
    }

    PostgresDialect dialect() {
        return dialect;
    }

    Executor executor() {
        return executor;
    }

    RepoSettings settings() {
        return settings;
    }

    @SuppressWarnings("unchecked")
    <T> EntityMapper<T> mapper(EntityModel<T> model) {
        return (EntityMapper<T>) mappers.computeIfAbsent(model.type(),
                t -> new EntityMapper<>(model, model.properties()));
    }

    /** Checks every entity a plan reads, each once per repository. */
    Mono<Void> checked(LoadPlan<?> plan) {
        return Flux.fromIterable(plan.models()).concatMap(this::checked).then();
    }

    /**
     * Checks the entity against its table once per repository: its columns, and that its key is unique and never
     * NULL (unless the entity declares it so). A failed check is retried on next use.
     */
    Mono<Void> checked(EntityModel<?> model) {
        return columns(model).then();
    }

    /** The entity's table's columns by name, once {@link #checked} against the entity; described once. */
    Mono<Map<String, TableCheck.ColumnInfo>> columns(EntityModel<?> model) {
        return checks.computeIfAbsent(model.type(), type -> describe(model)
                .collectList()
                .doOnNext(columns -> {
                    TableCheck.check(model, columns);
                    if (!model.keyDeclaredUnique()) {
                        TableCheck.checkKey(model, columns);
                    }
                })
                .doOnError(e -> checks.remove(type))
                .map(columns -> columns.stream().collect(Collectors.toUnmodifiableMap(TableCheck.ColumnInfo::name,
                        c -> c, (a, b) -> a)))
                .cache());
    }

    /** The columns of a table as the database describes them. */
    Flux<TableCheck.ColumnInfo> describe(EntityModel<?> model) {
        return executor.query(RenderedSql.of(dialect.describeTable(), List.of(dialect.identifier(model.table()))),
                TableCheck.ColumnInfo::read);
    }

    /**
     * The page sizes for a plan: with relations to load, a page is one window of at most the relation batch size,
     * so each page costs 1 + relations statements.
     */
    private int maxPage(LoadPlan<?> plan) {
        return plan.branches().isEmpty() ? settings.maxPageSize()
                : Math.min(settings.maxPageSize(), settings.relationBatchSize());
    }

    private int minPage(LoadPlan<?> plan) {
        return Math.min(settings.minPageSize(), maxPage(plan));
    }

    /**
     * Keyset pages. Without relations, and when the executor can stop a statement on the server, pages grow
     * beyond {@code maxPageSize} as far as the subscriber has asked: a cancel then stops the page in flight on the
     * server instead of reading it to its end.
     */
    <T> Flux<T> keyset(LoadPlan<?> plan, SelectSql sql, Function<Object[], T> finish, long limit) {
        Mono<Boolean> stoppable = plan.branches().isEmpty() ? executor.canStopStatements() : Mono.just(false);
        return stoppable.flatMapMany(canStop -> DemandPager.create(() -> new KeysetPages<>(this, plan, sql, finish),
                minPage(plan), maxPage(plan), limit, canStop));
    }

    <T> Flux<T> cursor(LoadPlan<?> plan, SelectSql sql, Function<Object[], T> finish, long limit) {
        return cursor(sql.ordered(limit), session -> (fetch, stop) -> window(plan, session, fetch, finish, null, stop),
                minPage(plan), maxPage(plan), plan.branches().isEmpty());
    }

    /**
     * Streams {@code query} through a server-side cursor in a read-only transaction: {@code DECLARE}, then one
     * {@code FETCH} per page as demand asks (each run by the statement function the session gives), then
     * {@code CLOSE}; error and cancel roll the transaction back, which closes the cursor too. In a transaction that
     * is not ours (joined: {@link Executor#joinsTransaction()}), nothing of ours rolls back, so error and cancel close
     * the cursor instead.
     *
     * <p>With {@code whole} (no relations to load per window), a subscriber that asks for every row at once, when
     * the executor can stop a statement on the server, gets {@code query} as one statement instead: no transaction,
     * no pages, and a cancel stops it on the server. A FETCH computes its whole page on the server before sending it,
     * so a cursor reads at about half the speed of one statement.
     */
    private <T> Flux<T> cursor(RenderedSql query, Function<Session, Statements<T>> statements, int minPage,
                               int maxPage, boolean whole) {
        Flux<T> paged = executor.joinsTransaction().flatMapMany(joined -> executor.inTransaction(
                TransactionOptions.READ_ONLY, session -> {
            String cursor = "sluice_cursor_" + CURSORS.incrementAndGet();
            Statements<T> run = statements.apply(session);
            Flux<T> rows = DemandPager.create(
                    () -> size -> run.apply(RenderedSql.of(dialect.fetch(cursor, size)), null),
                    minPage, maxPage, Long.MAX_VALUE);
            RenderedSql declare = RenderedSql.of(dialect.declareCursor(cursor, query.sql()), query.bindings());
            RenderedSql close = RenderedSql.of(dialect.closeCursor(cursor));
            if (joined) {
                return alwaysClosed(session, declare, rows, close);
            }
            return session.update(declare)
                    .thenMany(rows)
                    .concatWith(session.update(close).then(Mono.empty()));
        }));
        if (!whole) {
            return paged;
        }
        return executor.canStopStatements().flatMapMany(stoppable -> stoppable
                ? new WholeOrPaged<>(stop -> statements.apply(executor).apply(query, stop), paged) : paged);
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

    /** Runs statements on one session, each with an optional signal that stops it on the server. */
    @FunctionalInterface
    private interface Statements<T> {
        Publisher<T> apply(RenderedSql sql, @Nullable Mono<Void> stop);
    }

    /**
     * Runs one page: reads its rows, and when the plan has relations, lets the page's result complete before the
     * relations load (so no statement ever waits behind an open result on the same connection), then builds the
     * rows in order.
     *
     * @param last told of every row read, before it is built (keyset pages remember the last key)
     * @param stop null, or when to stop the statement early on the server
     */
    <T> Flux<T> window(LoadPlan<?> plan, Session session, RenderedSql sql, Function<Object[], T> finish,
                       @Nullable Consumer<Object[]> last, @Nullable Mono<Void> stop) {
        Flux<Object[]> rows = rows(session, sql, plan.reader(), stop);
        if (!plan.branches().isEmpty()) {
            rows = rows.collectList().flatMapMany(window -> relations.load(plan, window, session)
                    .thenMany(Flux.fromIterable(window)));
        }
        if (last == null) {
            return rows.map(finish);
        }
        return rows.map(row -> {
            last.accept(row);
            return finish.apply(row);
        });
    }

    /** Runs {@code sql} on {@code session}, stoppable on the server when {@code stop} is given. */
    private static <T> Flux<T> rows(Session session, RenderedSql sql, RowMapper<T> mapper, @Nullable Mono<Void> stop) {
        return stop == null ? session.query(sql, mapper) : session.query(sql, mapper, stop);
    }

    RelationLoader relations() {
        return relations;
    }

    Mono<Long> count(RenderedSql sql) {
        return executor.query(sql, row -> Objects.requireNonNull(row.get(0, Long.class))).single();
    }

    static List<Object> keyValues(EntityModel<?> model, Object[] key) {
        List<Property> properties = model.key();
        String what = "findById(" + model.name() + ".class, ...)";
        if (key.length != properties.size()) {
            throw new QueryException(what + ": " + model.name() + " has " + properties.size() + " key component"
                    + (properties.size() == 1 ? "" : "s") + " (" + properties.stream().map(Property::name)
                    .reduce((a, b) -> a + ", " + b).orElse("") + ") but " + key.length + " value"
                    + (key.length == 1 ? " was" : "s were") + " given");
        }
        List<Object> values = new ArrayList<>(key.length);
        for (int i = 0; i < key.length; i++) {
            values.add(keyValue(properties.get(i), key[i], what));
        }
        return values;
    }

    private static Object keyValue(Property p, @Nullable Object value, String what) {
        if (value == null) {
            throw new QueryException(what + ": the value for key " + p.name() + " is null; a key is never null");
        }
        Class<?> wanted = p.boxedType();
        if (wanted.isInstance(value)) {
            return wanted.isEnum() ? ((Enum<?>) value).name() : value;
        }
        if (value instanceof Number number && (value instanceof Long || value instanceof Integer
                || value instanceof Short)) {
            long v = number.longValue();
            if (wanted == Long.class) {
                return v;
            }
            if (wanted == Integer.class && v == (int) v) {
                return (int) v;
            }
            if (wanted == Short.class && v == (short) v) {
                return (short) v;
            }
        }
        throw new QueryException(what + ": key " + p.name() + " is " + p.type().getSimpleName() + " but a "
                + value.getClass().getSimpleName() + " (" + value + ") was given; pass a "
                + wanted.getSimpleName());
    }
}
