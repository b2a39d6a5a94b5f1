package dev.sluice.internal;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import dev.sluice.Delete;
import dev.sluice.Isolation;
import dev.sluice.Query;
import dev.sluice.Repo;
import dev.sluice.SqlQuery;
import dev.sluice.Update;
import dev.sluice.Upsert;
import dev.sluice.spi.Executor;
import dev.sluice.spi.RenderedSql;
import dev.sluice.spi.TransactionOptions;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The repository every adapter hands out: the {@link Repo} facade. It plans nothing and runs nothing itself: reads go
 * to the query model ({@link DefaultQuery}) and the fetch engine ({@link Fetcher}), writes to {@link EntityWriter}, each
 * given the repository's {@link RepoContext}. Public only so adapters can create it; unstable API.
 */
public final class CoreRepo implements Repo {

    private final RepoContext context;
    private final Fetcher fetcher;
    private final EntityWriter writes;

    private CoreRepo(RepoContext context) {
        this.context = context;
        this.fetcher = new Fetcher(context);
        this.writes = new EntityWriter(context);
    }

    /**
     * A repository that runs its statements through {@code executor}; its resume tokens are signed with a random
     * key.
     */
    public static Repo create(Executor executor, RepoSettings settings) {
        return create(executor, settings, null, Converters.NONE);
    }

    /**
     * A repository that runs its statements through {@code executor}, with value converters, signing its resume
     * tokens with {@code resumeTokenKey} (at least 16 bytes), or a random key when null.
     *
     * @throws IllegalArgumentException if the key is shorter than 16 bytes
     */
    public static Repo create(Executor executor, RepoSettings settings, byte @Nullable [] resumeTokenKey,
                              Converters converters) {
        return new CoreRepo(RepoContext.of(Objects.requireNonNull(executor, "executor"),
                Objects.requireNonNull(settings, "settings"),
                resumeTokenKey == null ? ResumeToken.withRandomKey() : ResumeToken.withKey(resumeTokenKey),
                Objects.requireNonNull(converters, "converters")));
    }

    @Override
    public <T> Query<T> select(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return DefaultQuery.of(fetcher, context.model(type));
    }

    @Override
    public <T> Mono<T> findById(Class<T> type, Object... key) {
        return select(type).findById(key);
    }

    @Override
    public <T> Mono<T> load(T entity, String... names) {
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(names, "names");
        return new EntityLoader<>(fetcher, modelOf(entity), names).loadAll(Flux.just(entity)).single();
    }

    @Override
    public <T> Flux<T> loadAll(Publisher<T> entities, String... names) {
        Objects.requireNonNull(entities, "entities");
        Objects.requireNonNull(names, "names");
        return Flux.from(entities).switchOnFirst((first, all) -> {
            T entity = first.get();
            return entity == null ? all : new EntityLoader<>(fetcher, modelOf(entity), names).loadAll(all);
        });
    }

    @Override
    public <R> Flux<R> query(Class<R> type, String sql, Object... args) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(args, "args");
        ResultMapper<R> mapper = ResultMapper.of(type, context.converters());
        RenderedSql statement = Condition.renderAlone(sql, args, "query(" + type.getSimpleName() + ".class, \""
                + sql + "\")", context.converters());
        return fetcher.stream(statement, mapper);
    }

    @Override
    public <R> SqlQuery<R> sql(Class<R> type, String sql, Object... args) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(args, "args");
        return DefaultSqlQuery.of(fetcher, type, sql, args);
    }

    @SuppressWarnings("unchecked")
    private <T> EntityModel<T> modelOf(T entity) {
        return context.model((Class<T>) entity.getClass());
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
        return new DefaultUpsert<>(writes, context.model(Objects.requireNonNull(type, "type")), List.of(), null);
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
    public <T> Flux<T> updateAll(Publisher<T> entities) {
        return writes.updateAll(Objects.requireNonNull(entities, "entities"));
    }

    @Override
    public <T> Mono<Long> deleteAll(Publisher<T> entities) {
        return writes.deleteAll(Objects.requireNonNull(entities, "entities"));
    }

    @Override
    public <T> Update<T> update(Class<T> type) {
        return new DefaultUpdate<>(writes, context.model(Objects.requireNonNull(type, "type")), List.of(), List.of());
    }

    @Override
    public <T> Delete<T> delete(Class<T> type) {
        return new DefaultDelete<>(writes, context.model(Objects.requireNonNull(type, "type")), List.of());
    }

    @Override
    public <T> Mono<Long> copyIn(Class<T> type, Publisher<T> rows) {
        return writes.copyIn(context.model(Objects.requireNonNull(type, "type")), Objects.requireNonNull(rows, "rows"));
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
        return context.executor().inTransaction(options, session -> work.apply(new CoreRepo(context.joining(session))));
    }
}
