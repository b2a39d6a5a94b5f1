package dev.sluice.r2dbc;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import dev.sluice.Delete;
import dev.sluice.Isolation;
import dev.sluice.KeysetPage;
import dev.sluice.Partition;
import dev.sluice.Query;
import dev.sluice.Repo;
import dev.sluice.SqlQuery;
import dev.sluice.Update;
import dev.sluice.Upsert;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Hands every error of a repository to a translator ({@link R2dbcRepo.Builder#exceptionTranslator}): the errors its
 * publishers signal and the exceptions its methods throw, for the repository, the {@link Query}, {@link Update},
 * {@link Delete}, {@link Upsert} and {@link SqlQuery} it hands out, and the repository a transaction's work gets.
 *
 * <p>Every method of those interfaces is overridden here, default methods included, so none can bypass the
 * translation; {@code TranslatingTest} fails when one is added to an interface and not here.
 */
final class Translating {

    private Translating() {
    }

    static Repo repo(Repo delegate, UnaryOperator<RuntimeException> translator) {
        return new TranslatingRepo(delegate, new Translator(translator));
    }

    /** The translator, made safe: a null answer keeps the error as it was. */
    private record Translator(UnaryOperator<RuntimeException> translator) {

        Throwable apply(Throwable error) {
            if (!(error instanceof RuntimeException runtime)) {
                return error;
            }
            RuntimeException translated = translator.apply(runtime);
            return translated != null ? translated : runtime;
        }

        <T> Flux<T> flux(Flux<T> flux) {
            return flux.onErrorMap(this::apply);
        }

        <T> Mono<T> mono(Mono<T> mono) {
            return mono.onErrorMap(this::apply);
        }

        /** Runs a method that builds rather than runs, translating what it throws. */
        <T> T call(Supplier<T> method) {
            try {
                return method.get();
            } catch (RuntimeException e) {
                throw (RuntimeException) apply(e);
            }
        }
    }

    private static final class TranslatingRepo implements Repo {
        private final Repo delegate;
        private final Translator t;

        TranslatingRepo(Repo delegate, Translator t) {
            this.delegate = delegate;
            this.t = t;
        }

        @Override
        public <T> Query<T> select(Class<T> type) {
            return new TranslatingQuery<>(t.call(() -> delegate.select(type)), t);
        }

        @Override
        public <T> Flux<T> scan(Class<T> type) {
            return t.flux(t.call(() -> delegate.scan(type)));
        }

        @Override
        public <T> Mono<T> findById(Class<T> type, Object... key) {
            return t.mono(t.call(() -> delegate.findById(type, key)));
        }

        @Override
        public <T> Mono<T> load(T entity, String... names) {
            return t.mono(t.call(() -> delegate.load(entity, names)));
        }

        @Override
        public <T> Flux<T> loadAll(Publisher<T> entities, String... names) {
            return t.flux(t.call(() -> delegate.loadAll(entities, names)));
        }

        @Override
        public <R> Flux<R> query(Class<R> type, String sql, Object... args) {
            return t.flux(t.call(() -> delegate.query(type, sql, args)));
        }

        @Override
        public <R> SqlQuery<R> sql(Class<R> type, String sql, Object... args) {
            return new TranslatingSqlQuery<>(t.call(() -> delegate.sql(type, sql, args)), t);
        }

        @Override
        public <T> Mono<T> insert(T entity) {
            return t.mono(t.call(() -> delegate.insert(entity)));
        }

        @Override
        public <T> Flux<T> insertAll(Publisher<T> entities) {
            return t.flux(t.call(() -> delegate.insertAll(entities)));
        }

        @Override
        public <T> Upsert<T> upsert(Class<T> type) {
            return new TranslatingUpsert<>(t.call(() -> delegate.upsert(type)), t);
        }

        @Override
        public <T> Mono<T> update(T entity) {
            return t.mono(t.call(() -> delegate.update(entity)));
        }

        @Override
        public <T> Mono<Void> delete(T entity) {
            return t.mono(t.call(() -> delegate.delete(entity)));
        }

        @Override
        public <T> Flux<T> updateAll(Publisher<T> entities) {
            return t.flux(t.call(() -> delegate.updateAll(entities)));
        }

        @Override
        public <T> Mono<Long> deleteAll(Publisher<T> entities) {
            return t.mono(t.call(() -> delegate.deleteAll(entities)));
        }

        @Override
        public <T> Update<T> update(Class<T> type) {
            return new TranslatingUpdate<>(t.call(() -> delegate.update(type)), t);
        }

        @Override
        public <T> Delete<T> delete(Class<T> type) {
            return new TranslatingDelete<>(t.call(() -> delegate.delete(type)), t);
        }

        @Override
        public <T> Mono<Long> copyIn(Class<T> type, Publisher<T> rows) {
            return t.mono(t.call(() -> delegate.copyIn(type, rows)));
        }

        @Override
        public <R> Flux<R> inTransaction(Function<Repo, ? extends Publisher<R>> work) {
            return t.flux(t.call(() -> delegate.inTransaction(tx -> work.apply(new TranslatingRepo(tx, t)))));
        }

        @Override
        public <R> Flux<R> inTransaction(Isolation isolation, Function<Repo, ? extends Publisher<R>> work) {
            return t.flux(t.call(() -> delegate.inTransaction(isolation,
                    tx -> work.apply(new TranslatingRepo(tx, t)))));
        }
    }

    private static final class TranslatingQuery<T> implements Query<T> {
        private final Query<T> delegate;
        private final Translator t;

        TranslatingQuery(Query<T> delegate, Translator t) {
            this.delegate = delegate;
            this.t = t;
        }

        private <R> Query<R> wrap(Query<R> query) {
            return new TranslatingQuery<>(query, t);
        }

        @Override
        public Query<T> where(String condition, Object... args) {
            return wrap(t.call(() -> delegate.where(condition, args)));
        }

        @Override
        public Query<T> orderBy(String order) {
            return wrap(t.call(() -> delegate.orderBy(order)));
        }

        @Override
        public Query<T> limit(long maxRows) {
            return wrap(t.call(() -> delegate.limit(maxRows)));
        }

        @Override
        public Query<T> onPrimary() {
            return wrap(t.call(delegate::onPrimary));
        }

        @Override
        public Query<T> inOneSnapshot() {
            return wrap(t.call(delegate::inOneSnapshot));
        }

        @Override
        public Query<T> timeout(Duration timeout) {
            return wrap(t.call(() -> delegate.timeout(timeout)));
        }

        @Override
        public Query<T> with(String... paths) {
            return wrap(t.call(() -> delegate.with(paths)));
        }

        @Override
        public Query<T> undefer(String... components) {
            return wrap(t.call(() -> delegate.undefer(components)));
        }

        @Override
        public <R> Query<R> as(Class<R> projection) {
            return wrap(t.call(() -> delegate.as(projection)));
        }

        @Override
        public Query<T> after(T row) {
            return wrap(t.call(() -> delegate.after(row)));
        }

        @Override
        public Query<T> afterValues(Object... values) {
            return wrap(t.call(() -> delegate.afterValues(values)));
        }

        @Override
        public Mono<KeysetPage<T>> page(int size, @Nullable String token) {
            return t.mono(t.call(() -> delegate.page(size, token)));
        }

        @Override
        public Mono<T> findById(Object... key) {
            return t.mono(t.call(() -> delegate.findById(key)));
        }

        @Override
        public Flux<T> flux() {
            return t.flux(t.call(delegate::flux));
        }

        @Override
        public Mono<Long> count() {
            return t.mono(t.call(delegate::count));
        }

        @Override
        public Mono<T> one() {
            return t.mono(t.call(delegate::one));
        }

        @Override
        public Mono<T> findOne() {
            return t.mono(t.call(delegate::findOne));
        }

        @Override
        public Mono<List<Partition<T>>> partitions(int n) {
            return t.mono(t.call(() -> delegate.partitions(n))).map(partitions -> partitions.stream()
                    .map(p -> new Partition<>(p.index(), p.count(), p.token(), wrap(p.query()))).toList());
        }

        @Override
        public Query<T> partition(String token) {
            return wrap(t.call(() -> delegate.partition(token)));
        }

        @Override
        public Flux<T> parallel(int n) {
            return t.flux(t.call(() -> delegate.parallel(n)));
        }

        @Override
        public String toString() {
            return delegate.toString();
        }
    }

    private static final class TranslatingSqlQuery<R> implements SqlQuery<R> {
        private final SqlQuery<R> delegate;
        private final Translator t;

        TranslatingSqlQuery(SqlQuery<R> delegate, Translator t) {
            this.delegate = delegate;
            this.t = t;
        }

        @Override
        public SqlQuery<R> keysetBy(String order) {
            return new TranslatingSqlQuery<>(t.call(() -> delegate.keysetBy(order)), t);
        }

        @Override
        public SqlQuery<R> after(R row) {
            return new TranslatingSqlQuery<>(t.call(() -> delegate.after(row)), t);
        }

        @Override
        public Flux<R> flux() {
            return t.flux(t.call(delegate::flux));
        }

        @Override
        public Mono<KeysetPage<R>> page(int size, @Nullable String token) {
            return t.mono(t.call(() -> delegate.page(size, token)));
        }

        @Override
        public String toString() {
            return delegate.toString();
        }
    }

    private static final class TranslatingUpdate<T> implements Update<T> {
        private final Update<T> delegate;
        private final Translator t;

        TranslatingUpdate(Update<T> delegate, Translator t) {
            this.delegate = delegate;
            this.t = t;
        }

        @Override
        public Update<T> set(String assignment, Object... args) {
            return new TranslatingUpdate<>(t.call(() -> delegate.set(assignment, args)), t);
        }

        @Override
        public Update<T> where(String condition, Object... args) {
            return new TranslatingUpdate<>(t.call(() -> delegate.where(condition, args)), t);
        }

        @Override
        public Mono<Long> execute() {
            return t.mono(t.call(delegate::execute));
        }

        @Override
        public Mono<Long> executeOnAllRows() {
            return t.mono(t.call(delegate::executeOnAllRows));
        }

        @Override
        public String toString() {
            return delegate.toString();
        }
    }

    private static final class TranslatingDelete<T> implements Delete<T> {
        private final Delete<T> delegate;
        private final Translator t;

        TranslatingDelete(Delete<T> delegate, Translator t) {
            this.delegate = delegate;
            this.t = t;
        }

        @Override
        public Delete<T> where(String condition, Object... args) {
            return new TranslatingDelete<>(t.call(() -> delegate.where(condition, args)), t);
        }

        @Override
        public Mono<Long> execute() {
            return t.mono(t.call(delegate::execute));
        }

        @Override
        public Mono<Long> executeOnAllRows() {
            return t.mono(t.call(delegate::executeOnAllRows));
        }

        @Override
        public String toString() {
            return delegate.toString();
        }
    }

    private static final class TranslatingUpsert<T> implements Upsert<T> {
        private final Upsert<T> delegate;
        private final Translator t;

        TranslatingUpsert(Upsert<T> delegate, Translator t) {
            this.delegate = delegate;
            this.t = t;
        }

        @Override
        public Upsert<T> onConflict(String... columns) {
            return new TranslatingUpsert<>(t.call(() -> delegate.onConflict(columns)), t);
        }

        @Override
        public Upsert<T> doNothing() {
            return new TranslatingUpsert<>(t.call(delegate::doNothing), t);
        }

        @Override
        public Upsert<T> doUpdate() {
            return new TranslatingUpsert<>(t.call(delegate::doUpdate), t);
        }

        @Override
        public Mono<T> one(T entity) {
            return t.mono(t.call(() -> delegate.one(entity)));
        }

        @Override
        public Flux<T> all(Publisher<T> entities) {
            return t.flux(t.call(() -> delegate.all(entities)));
        }

        @Override
        public String toString() {
            return delegate.toString();
        }
    }
}
