package dev.sluice.r2dbc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import dev.sluice.Delete;
import dev.sluice.Isolation;
import dev.sluice.Query;
import dev.sluice.Repo;
import dev.sluice.SqlQuery;
import dev.sluice.StatementListener;
import dev.sluice.Update;
import dev.sluice.Upsert;
import dev.sluice.internal.Converters;
import dev.sluice.internal.CoreRepo;
import dev.sluice.internal.ReadRetry;
import dev.sluice.internal.RepoSettings;
import dev.sluice.spi.Observer;
import io.micrometer.observation.ObservationRegistry;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.ConnectionFactory;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@link Repo} on R2DBC (r2dbc-postgresql, r2dbc-pool).
 *
 * <pre>{@code
 * try (R2dbcRepo repo = R2dbcRepo.create("r2dbc:postgresql://postgres@localhost:5432/test")) {
 *     repo.scan(Picture.class).limitRate(500).doOnNext(System.out::println).blockLast();
 * }
 * }</pre>
 *
 * <p>{@link #create(String)} builds a pooled factory with binary transfer, the fast path. A factory handed to
 * {@link #create(ConnectionFactory)} is used as it is; a warning is logged when it is not pooled or not binary.
 * Thread-safe; create one per database and share it.
 */
public final class R2dbcRepo implements Repo, AutoCloseable {

    private final Repo delegate;
    private final ConnectionFactory factory;
    private final @Nullable ConnectionPool ownedPool;
    private final @Nullable ReadReplicas replicas;

    /** A repository as {@code builder} describes it, on {@code factory} and its {@code connections}. */
    private R2dbcRepo(Builder builder, ConnectionFactory factory, @Nullable ConnectionPool ownedPool,
                      ConnectionProvider connections, RepoSettings settings) {
        this.factory = factory;
        this.ownedPool = ownedPool;
        this.replicas = builder.replicas(factory);
        Repo core = CoreRepo.create(new R2dbcExecutor(connections, settings.listener(), builder.sessionSettings,
                builder.statementObserver, builder.statementLog, replicas), settings, builder.resumeTokenKey,
                builder.converters);
        UnaryOperator<RuntimeException> translator = builder.exceptionTranslator;
        this.delegate = translator == null ? core : Translating.repo(core, translator);
    }

    /**
     * A repository on the given factory, with default settings. Give it a pooled factory (r2dbc-pool): keyset
     * scans borrow a connection per page. Closing the repository leaves the factory open.
     */
    public static R2dbcRepo create(ConnectionFactory connectionFactory) {
        return builder(connectionFactory).build();
    }

    /**
     * A repository on a new connection pool for the URL, with binary transfer, e.g.
     * {@code r2dbc:postgresql://user:password@localhost:5432/db}. Pool options may be given in the URL
     * ({@code ?maxSize=20&maxAcquireTime=PT5S}); unless set there or on the {@link #builder(String) builder}, a
     * borrow waits at most 30 seconds, and connections are closed after 10 minutes unused or 30 minutes in all.
     * Dead pooled connections (after a server restart) are dropped and replaced as they are borrowed, without a
     * failed query. Closing the repository closes the pool.
     */
    public static R2dbcRepo create(String r2dbcUrl) {
        return builder(r2dbcUrl).build();
    }

    /** A builder for a repository on the given factory, for settings other than the defaults. */
    public static Builder builder(ConnectionFactory connectionFactory) {
        return new Builder(Objects.requireNonNull(connectionFactory, "connectionFactory"), null);
    }

    /** A builder for a repository on a new pooled, binary-transfer factory for the URL (see {@link #create(String)}). */
    public static Builder builder(String r2dbcUrl) {
        return new Builder(null, Objects.requireNonNull(r2dbcUrl, "r2dbcUrl"));
    }

    @Override
    public <T> Query<T> select(Class<T> type) {
        return delegate.select(type);
    }

    @Override
    public <T> Flux<T> scan(Class<T> type) {
        return delegate.scan(type);
    }

    @Override
    public <T> Mono<T> findById(Class<T> type, Object... key) {
        return delegate.findById(type, key);
    }

    @Override
    public <T> Mono<T> insert(T entity) {
        return delegate.insert(entity);
    }

    @Override
    public <T> Flux<T> insertAll(Publisher<T> entities) {
        return delegate.insertAll(entities);
    }

    @Override
    public <T> Upsert<T> upsert(Class<T> type) {
        return delegate.upsert(type);
    }

    @Override
    public <T> Mono<T> update(T entity) {
        return delegate.update(entity);
    }

    @Override
    public <T> Mono<Void> delete(T entity) {
        return delegate.delete(entity);
    }

    @Override
    public <T> Flux<T> updateAll(Publisher<T> entities) {
        return delegate.updateAll(entities);
    }

    @Override
    public <T> Mono<Long> deleteAll(Publisher<T> entities) {
        return delegate.deleteAll(entities);
    }

    @Override
    public <T> Update<T> update(Class<T> type) {
        return delegate.update(type);
    }

    @Override
    public <T> Delete<T> delete(Class<T> type) {
        return delegate.delete(type);
    }

    @Override
    public <T> Mono<Long> copyIn(Class<T> type, Publisher<T> rows) {
        return delegate.copyIn(type, rows);
    }

    @Override
    public <R> Flux<R> inTransaction(Function<Repo, ? extends Publisher<R>> work) {
        return delegate.inTransaction(work);
    }

    @Override
    public <R> Flux<R> inTransaction(Isolation isolation, Function<Repo, ? extends Publisher<R>> work) {
        return delegate.inTransaction(isolation, work);
    }

    @Override
    public <T> Mono<T> load(T entity, String... names) {
        return delegate.load(entity, names);
    }

    @Override
    public <T> Flux<T> loadAll(Publisher<T> entities, String... names) {
        return delegate.loadAll(entities, names);
    }

    @Override
    public <R> Flux<R> query(Class<R> type, String sql, Object... args) {
        return delegate.query(type, sql, args);
    }

    @Override
    public <R> SqlQuery<R> sql(Class<R> type, String sql, Object... args) {
        return delegate.sql(type, sql, args);
    }

    /** The factory statements run on. */
    public ConnectionFactory connectionFactory() {
        return factory;
    }

    /** Closes the connection pool if this repository created it, and the read replicas' pools. */
    @Override
    public void close() {
        if (ownedPool != null) {
            ownedPool.dispose();
        }
        if (replicas != null) {
            replicas.close();
        }
    }

    /** How far behind the primary a read replica may be, in bytes of WAL, by default: 16 MiB. */
    public static final long DEFAULT_MAX_REPLICA_LAG_BYTES = 16L * 1024 * 1024;
    /** How far behind the primary a read replica may be, in time, by default: 5 seconds. */
    public static final Duration DEFAULT_MAX_REPLICA_LAG = Duration.ofSeconds(5);
    /** How often a read replica is checked, at most, by default: every second. */
    public static final Duration DEFAULT_REPLICA_CHECK_INTERVAL = Duration.ofSeconds(1);

    /** Settings for a repository. Each setter checks its value at once. Not thread-safe. */
    public static final class Builder {
        private final @Nullable ConnectionFactory factory;
        private final @Nullable String url;
        private int minPageSize = RepoSettings.DEFAULT_MIN_PAGE_SIZE;
        private int maxPageSize = RepoSettings.DEFAULT_MAX_PAGE_SIZE;
        private StatementListener listener = StatementListener.NONE;
        private int writeBatchSize = RepoSettings.DEFAULT_WRITE_BATCH_SIZE;
        private int relationBatchSize = RepoSettings.DEFAULT_RELATION_BATCH_SIZE;
        private long readAheadBudget = RepoSettings.DEFAULT_READ_AHEAD_BUDGET;
        private @Nullable ConnectionProvider connections;
        private PoolTimes poolTimes = PoolTimes.UNSET;
        private SessionSettings sessionSettings = SessionSettings.NONE;
        private @Nullable UnaryOperator<RuntimeException> exceptionTranslator;
        private int retries = ReadRetry.DEFAULT_RETRIES;
        private Duration retryBackoff = ReadRetry.DEFAULT_BACKOFF;
        private Observer observer = Observer.NONE;
        private @Nullable StatementObserver statementObserver;
        private @Nullable StatementLog statementLog;
        private byte @Nullable [] resumeTokenKey;
        private Converters converters = Converters.NONE;
        private List<String> replicaUrls = List.of();
        private long maxReplicaLagBytes = DEFAULT_MAX_REPLICA_LAG_BYTES;
        private Duration maxReplicaLag = DEFAULT_MAX_REPLICA_LAG;
        private Duration replicaCheckInterval = DEFAULT_REPLICA_CHECK_INTERVAL;

        private Builder(@Nullable ConnectionFactory factory, @Nullable String url) {
            this.factory = factory;
            this.url = url;
        }

        /**
         * The smallest page a scan fetches, even when the subscriber asks for fewer rows. Defaults to
         * {@value RepoSettings#DEFAULT_MIN_PAGE_SIZE}.
         *
         * @throws IllegalArgumentException if less than 1
         */
        public Builder minPageSize(int rows) {
            this.minPageSize = RepoSettings.requireAtLeastOne("minPageSize", rows);
            return this;
        }

        /**
         * The most rows fetched ahead of the subscriber's demand, and the largest page a scan fetches unless the
         * subscriber has already asked for more: pages grow towards it while the subscriber keeps up, and beyond it,
         * doubling, only as far as the rows requested (such a page is cancelled on the server if the subscriber
         * cancels). Defaults to {@value RepoSettings#DEFAULT_MAX_PAGE_SIZE}.
         *
         * @throws IllegalArgumentException if less than 1
         */
        public Builder maxPageSize(int rows) {
            this.maxPageSize = RepoSettings.requireAtLeastOne("maxPageSize", rows);
            return this;
        }

        /**
         * The most rows {@link Repo#insertAll} and upserts write in one multi-row {@code INSERT}; fewer when the
         * entity has so many columns that PostgreSQL's 65535 bind-parameter limit caps it. Also about how many input
         * rows are held ahead of the database. Defaults to {@value RepoSettings#DEFAULT_WRITE_BATCH_SIZE}.
         *
         * @throws IllegalArgumentException if less than 1
         */
        public Builder writeBatchSize(int rows) {
            this.writeBatchSize = RepoSettings.requireAtLeastOne("writeBatchSize", rows);
            return this;
        }

        /**
         * The most parents whose relations load together: a query with {@code with(...)} fetches parents in windows
         * of at most this many, and runs one query per relation per window ({@code ... = ANY($1)}). Defaults to
         * {@value RepoSettings#DEFAULT_RELATION_BATCH_SIZE}, as SQLAlchemy's selectinload.
         *
         * @throws IllegalArgumentException if less than 1
         */
        public Builder relationBatchSize(int parents) {
            this.relationBatchSize = RepoSettings.requireAtLeastOne("relationBatchSize", parents);
            return this;
        }

        /**
         * The rows the repository's keyset streams may hold fetched ahead of their subscribers' demand, beyond a
         * minimum page each, shared by all of them. A subscriber that keeps up gets pages up to {@code maxPageSize}
         * while this lasts; a page goes without what it has not got, and a stream gives its rows back as it
         * delivers them. It bounds the memory of many streams whose subscribers looked fast and then stalled (slow
         * HTTP clients, whose socket buffers take their first megabytes at once); and a stream that has waited on
         * its subscriber for 200 ms gives its part back at once when another stream is short of it, dropping the
         * rows it queued, which it reads again after its last delivered row when asked. Defaults to four
         * {@code maxPageSize} pages (40,000 rows); 0 keeps every page within demand and {@code minPageSize}.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder readAheadBudget(long rows) {
            if (rows < 0) {
                throw new IllegalArgumentException("readAheadBudget must be at least 0 rows, got " + rows);
            }
            this.readAheadBudget = rows;
            return this;
        }

        /**
         * How many times a read outside a transaction runs again on another connection when its connection is lost
         * (killed backend, server restart, failover, a connection that cannot be made for a while): each keyset page
         * goes on after the last row it received, and each relation window, deferred load, lookup and count runs
         * again whole; no row is lost or delivered twice. Counted per page or statement. Nothing is retried inside a
         * transaction, for a write, or through a cursor ({@code inOneSnapshot()}, custom SQL): those fail with a
         * {@link dev.sluice.ConnectionLostException} at once, as does a read whose retries are spent. Defaults to
         * {@value ReadRetry#DEFAULT_RETRIES}; 0 turns retrying off.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder retries(int retries) {
            this.retries = new ReadRetry(retries, retryBackoff).retries();
            return this;
        }

        /**
         * How long a read that lost its connection waits before it runs again; each further retry of the same page
         * waits twice as long as the one before (at most 30 seconds). Defaults to 200 ms: with the default 5 retries,
         * a page waits up to 6.2 seconds in all for the server to come back.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder retryBackoff(Duration backoff) {
            this.retryBackoff = new ReadRetry(retries, Objects.requireNonNull(backoff, "backoff")).backoff();
            return this;
        }

        /**
         * Stores values of {@code type}, such as a value object, as values of {@code stored}, a type Sluice maps
         * itself: {@code .converter(Money.class, BigDecimal.class, Money::of, Money::amount)}. One registration covers
         * every path: reads, {@code insert}, {@code insertAll}, {@code upsert}, {@code update}, {@code copyIn}, the
         * values of {@code where(..)} and {@code set(..)}, and keys. The stored value is checked against its column as
         * any other ({@code numeric(12,2)} refuses a third decimal place). Defaults to none; an entity with a
         * component of a type Sluice does not map and no converter fails at first use, naming the registration.
         *
         * @param read  the Java value of a stored value; never given null, must not return null
         * @param write the stored value of a Java value; never given null, must not return null
         * @throws IllegalArgumentException if {@code stored} is not a type Sluice maps, {@code type} is one, or
         *                                  {@code type} has a converter already
         */
        public <J, S> Builder converter(Class<J> type, Class<S> stored, Function<? super S, ? extends J> read,
                                        Function<? super J, ? extends S> write) {
            this.converters = converters.with(type, stored, read, write);
            return this;
        }

        /** Told of every statement sent, for logging or counting. Defaults to none. */
        public Builder statementListener(StatementListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Observes the repository's streams and statements with Micrometer's Observation API, for metrics and traces:
         * an observation {@code sluice.stream} per stream of rows (tagged {@code entity}, {@code strategy},
         * {@code outcome}; with its {@code rows}, {@code pages} and {@code retries}) and {@code sluice.statement} per
         * statement (tagged {@code kind}, {@code table}; with its {@code sql}, {@code rows}, and the time it waited
         * for its connection and held it), whose parent is the stream it belongs to, on any thread or connection.
         * A stream's parent is the observation in its subscriber's Reactor context (under
         * {@code ObservationThreadLocalAccessor.KEY}, where Spring WebFlux puts a request's). See
         * {@code docs/observability.md}. Needs {@code io.micrometer:micrometer-observation}, an optional dependency
         * of Sluice; a repository without a registry loads no Micrometer class. Defaults to none.
         */
        public Builder observationRegistry(ObservationRegistry registry) {
            MicrometerObserver micrometer = MicrometerObserver.of(Objects.requireNonNull(registry, "registry"));
            this.observer = micrometer;
            this.statementObserver = micrometer;
            return this;
        }

        /**
         * Logs every statement with its bind values, at INFO to the logger {@code dev.sluice.statements} (through
         * SLF4J when it is on the class path), the values {@link Masking#TYPES masked} to their types and sizes, or
         * {@link Masking#NONE} shown. Defaults to no logging.
         */
        public Builder logStatements(Masking masking) {
            this.statementLog = StatementLog.of(Objects.requireNonNull(masking, "masking"));
            return this;
        }

        /**
         * Session settings for every borrowed connection, from the subscriber's Reactor context: a tenant for a
         * row-level-security policy, a {@code search_path}, a {@code role}. Applied on each connection a page, a
         * relation window, a write or a transaction borrows, and undone before it goes back (see
         * {@link SessionSettings}). Defaults to {@link SessionSettings#NONE}.
         */
        public Builder sessionSettings(SessionSettings settings) {
            this.sessionSettings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * Translates the repository's errors, for a framework with an exception hierarchy of its own (the Spring Boot
         * starter sets one that gives Spring's {@code DataAccessException}s). Called with every
         * {@link RuntimeException} that a publisher of the repository signals, or that one of its methods, or of the
         * queries, updates, deletes and upserts it hands out, throws; the error it returns is signalled or thrown
         * instead (returning the argument, or null, keeps it). Defaults to none: {@link dev.sluice.SluiceException}s
         * and the driver's {@code R2dbcException}s reach the caller as they are.
         */
        public Builder exceptionTranslator(UnaryOperator<RuntimeException> translator) {
            this.exceptionTranslator = Objects.requireNonNull(translator, "translator");
            return this;
        }

        /**
         * The key that signs the resume tokens of {@code query.page(size, token)} (HMAC-SHA256): give every instance
         * of a service the same secret key so that a token one hands out is good at another and after a restart.
         * Defaults to a random key per repository: tokens are then good only in this repository until it is gone.
         *
         * @throws IllegalArgumentException if the key is shorter than 16 bytes (32 random bytes are best)
         */
        public Builder resumeTokenKey(byte[] key) {
            Objects.requireNonNull(key, "key");
            if (key.length < 16) {
                throw new IllegalArgumentException("resumeTokenKey needs at least 16 bytes (32 random bytes are "
                        + "best), got " + key.length);
            }
            this.resumeTokenKey = key.clone();
            return this;
        }

        /**
         * Where connections come from and go back to, for transactions managed outside Sluice (see
         * {@link ConnectionProvider}); it should hand out connections of the factory given to
         * {@link R2dbcRepo#builder(ConnectionFactory)}. Defaults to {@link ConnectionProvider#of(ConnectionFactory)}
         * on that factory. Only for a builder on a factory: a repository on a URL owns its pool.
         */
        public Builder connectionProvider(ConnectionProvider provider) {
            this.connections = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /**
         * For a repository on a URL: how long a statement waits for a connection when all of the pool's are busy,
         * before it fails with an {@code R2dbcTimeoutException} that names the pool's size and how many connections
         * are busy. Defaults to the URL's {@code maxAcquireTime}, else 30 seconds.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxAcquireTime(Duration time) {
            this.poolTimes = poolTimes.withMaxAcquireTime(positive("maxAcquireTime", time));
            return this;
        }

        /**
         * For a repository on a URL: how long an unused connection stays in the pool. Defaults to the URL's
         * {@code maxIdleTime}, else 10 minutes.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxIdleTime(Duration time) {
            this.poolTimes = poolTimes.withMaxIdleTime(positive("maxIdleTime", time));
            return this;
        }

        /**
         * For a repository on a URL: how long any connection stays in the pool, so that none outlives a failover
         * or a proxy's connection limit. Defaults to the URL's {@code maxLifeTime}, else 30 minutes.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxLifeTime(Duration time) {
            this.poolTimes = poolTimes.withMaxLifeTime(positive("maxLifeTime", time));
            return this;
        }

        /**
         * Streaming replicas of the primary, as R2DBC URLs, each with a pool of its own (built as
         * {@link R2dbcRepo#create(String)} builds one). Reads outside a transaction ({@code flux}, {@code findById},
         * {@code count}, {@code query}, {@code load}) go to the replicas in turn, each read whole to one replica (a
         * scan never moves between them); writes, transactions and {@link Query#onPrimary()} go to the primary. A
         * replica whose check or connection fails, or that lags beyond {@link #maxReplicaLagBytes} or
         * {@link #maxReplicaLag}, is skipped until its next check; when none will do, reads go to the primary.
         * Defaults to none.
         *
         * @throws IllegalArgumentException if a URL is blank
         */
        public Builder readReplicas(String... r2dbcUrls) {
            Objects.requireNonNull(r2dbcUrls, "r2dbcUrls");
            for (String url : r2dbcUrls) {
                if (url == null || url.isBlank()) {
                    throw new IllegalArgumentException("readReplicas: a replica URL is blank; give one R2DBC URL per "
                            + "replica, e.g. r2dbc:postgresql://user@replica1:5432/db");
                }
            }
            this.replicaUrls = List.of(r2dbcUrls);
            return this;
        }

        /**
         * The most bytes of WAL a read replica may be behind the primary ({@code pg_current_wal_lsn()} on the
         * primary minus {@code pg_last_wal_replay_lsn()} on the replica) and still serve reads. Defaults to
         * {@value #DEFAULT_MAX_REPLICA_LAG_BYTES} (16 MiB).
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder maxReplicaLagBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxReplicaLagBytes must be zero or more, but was " + bytes);
            }
            this.maxReplicaLagBytes = bytes;
            return this;
        }

        /**
         * The most time a read replica may be behind the primary and still serve reads, measured by WAL position: a
         * replica that has not replayed the primary's position seen at time t is at least {@code now - t} behind
         * (an idle primary makes no lag). Positions are sampled when reads check replicas, at most once per
         * {@link #replicaCheckInterval}. Defaults to 5 seconds.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxReplicaLag(Duration lag) {
            this.maxReplicaLag = positive("maxReplicaLag", lag);
            return this;
        }

        /**
         * How long a replica's check (its lag, or its failure) counts before the next read checks it again. Defaults
         * to 1 second.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder replicaCheckInterval(Duration interval) {
            this.replicaCheckInterval = positive("replicaCheckInterval", interval);
            return this;
        }

        private @Nullable ReadReplicas replicas(ConnectionFactory primary) {
            if (replicaUrls.isEmpty()) {
                return null;
            }
            List<ReadReplicas.Replica> list = new ArrayList<>();
            for (String replicaUrl : replicaUrls) {
                list.add(new ReadReplicas.Replica(Factories.withoutPassword(replicaUrl),
                        Factories.pooled(replicaUrl, PoolTimes.UNSET)));
            }
            return new ReadReplicas(primary, list, maxReplicaLagBytes, maxReplicaLag, replicaCheckInterval);
        }

        private static Duration positive(String name, Duration time) {
            Objects.requireNonNull(time, name);
            if (time.isNegative() || time.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, but was " + time);
            }
            return time;
        }

        /**
         * @throws IllegalArgumentException if maxPageSize is less than minPageSize
         * @throws IllegalStateException    if a connection provider or pool times were set on a builder for a URL,
         *                                  or pool times on a builder for a factory
         */
        public R2dbcRepo build() {
            if (maxPageSize < minPageSize) {
                throw new IllegalArgumentException("maxPageSize (" + maxPageSize + ") must be at least minPageSize ("
                        + minPageSize + ")");
            }
            RepoSettings settings = RepoSettings.DEFAULTS.withPageSizes(minPageSize, maxPageSize).withListener(listener)
                    .withWriteBatchSize(writeBatchSize).withRelationBatchSize(relationBatchSize)
                    .withReadRetry(new ReadRetry(retries, retryBackoff)).withObserver(observer)
                    .withReadAheadBudget(readAheadBudget);
            if (factory != null) {
                if (!poolTimes.isUnset()) {
                    throw new IllegalStateException("maxAcquireTime, maxIdleTime and maxLifeTime configure the pool "
                            + "of a repository built on a URL; for a ConnectionFactory of your own, set them on its "
                            + "pool (ConnectionPoolConfiguration.builder(factory).maxAcquireTime(...), or "
                            + "spring.r2dbc.pool.max-acquire-time in Spring Boot)");
                }
                Factories.warnIfSlow(factory);
                return new R2dbcRepo(this, factory, null, PoolBorrow.of(
                        connections != null ? connections : ConnectionProvider.of(factory), factory), settings);
            }
            if (connections != null) {
                throw new IllegalStateException("connectionProvider needs R2dbcRepo.builder(ConnectionFactory): a "
                        + "repository built on a URL creates its own pool, which no provider can know of");
            }
            ConnectionPool pool = Factories.pooled(Objects.requireNonNull(url), poolTimes);
            return new R2dbcRepo(this, pool, pool, PoolBorrow.of(ConnectionProvider.of(pool), pool), settings);
        }
    }
}
