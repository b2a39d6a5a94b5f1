package dev.sluice.r2dbc;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import io.r2dbc.spi.Wrapped;
import org.jspecify.annotations.Nullable;
import reactor.util.Logger;
import reactor.util.Loggers;

/** Makes fast connection factories from URLs, and says when a factory handed in will be slow. */
final class Factories {

    private static final Logger LOG = Loggers.getLogger(R2dbcRepo.class);

    /** r2dbc-postgresql's option: results in binary, which decodes bytea without hex strings. */
    static final Option<Boolean> FORCE_BINARY = Option.valueOf("forceBinary");
    private static final Option<Integer> INITIAL_SIZE = Option.valueOf("initialSize");
    /** r2dbc-pool's options, read from the URL too. */
    static final Option<Duration> MAX_ACQUIRE_TIME = Option.valueOf("maxAcquireTime");
    static final Option<Duration> MAX_IDLE_TIME = Option.valueOf("maxIdleTime");
    static final Option<Duration> MAX_LIFE_TIME = Option.valueOf("maxLifeTime");
    private static final Option<Integer> ACQUIRE_RETRY = Option.valueOf("acquireRetry");
    private static final String POOL = "pool";

    private Factories() {
    }

    /**
     * A pooled, binary-transfer factory for an R2DBC URL. {@code r2dbc:postgresql://...} becomes
     * {@code r2dbc:pool:postgresql://...}; {@code forceBinary} is switched on unless the URL sets it; pool options in
     * the URL ({@code maxSize}, {@code initialSize}, ...) are honoured, with {@code initialSize} defaulting to 1.
     * The pool's times are {@code times} where set there, else the URL's, else Sluice's defaults
     * ({@link PoolTimes#DEFAULTS}); {@code acquireRetry} defaults to 0, since {@link PoolBorrow} retries what is
     * worth retrying (r2dbc-pool would retry a timed-out borrow too, doubling the wait).
     */
    static ConnectionPool pooled(String url, PoolTimes times) {
        ConnectionFactory factory = ConnectionFactories.get(poolOptions(url, times));
        if (!(factory instanceof ConnectionPool pool)) {
            throw new IllegalStateException("r2dbc-pool did not create a pool for " + url);
        }
        return pool;
    }

    /** The URL for messages and logs: {@code //user:secret@host} becomes {@code //user@host}. */
    static String withoutPassword(String url) {
        return url.replaceFirst("(//[^/@:]*):[^/@]*@", "$1@");
    }

    /** The options {@link #pooled} builds its pool with. */
    static ConnectionFactoryOptions poolOptions(String url, PoolTimes times) {
        ConnectionFactoryOptions options = ConnectionFactoryOptions.parse(url);
        ConnectionFactoryOptions.Builder builder = options.mutate();
        Object driver = options.getValue(ConnectionFactoryOptions.DRIVER);
        if (!POOL.equals(driver)) {
            builder.option(ConnectionFactoryOptions.DRIVER, POOL);
            builder.option(ConnectionFactoryOptions.PROTOCOL, String.valueOf(driver));
        }
        if (!options.hasOption(FORCE_BINARY)) {
            builder.option(FORCE_BINARY, true);
        }
        if (!options.hasOption(INITIAL_SIZE)) {
            builder.option(INITIAL_SIZE, 1);
        }
        if (!options.hasOption(ACQUIRE_RETRY)) {
            builder.option(ACQUIRE_RETRY, 0);
        }
        time(builder, options, MAX_ACQUIRE_TIME, times.maxAcquireTime(), PoolTimes.DEFAULTS.maxAcquireTime());
        time(builder, options, MAX_IDLE_TIME, times.maxIdleTime(), PoolTimes.DEFAULTS.maxIdleTime());
        time(builder, options, MAX_LIFE_TIME, times.maxLifeTime(), PoolTimes.DEFAULTS.maxLifeTime());
        return builder.build();
    }

    private static void time(ConnectionFactoryOptions.Builder builder, ConnectionFactoryOptions url,
                             Option<Duration> option, @Nullable Duration set, @Nullable Duration fallback) {
        if (set != null) {
            builder.option(option, set);
        } else if (!url.hasOption(option) && fallback != null) {
            builder.option(option, fallback);
        }
    }

    /** Logs a warning for each reason the given factory will make Sluice slow. */
    static void warnIfSlow(ConnectionFactory factory) {
        slowness(factory).forEach(LOG::warn);
    }

    /** Why the given factory will make Sluice slow, one sentence per reason; empty when it is fine. */
    static List<String> slowness(ConnectionFactory factory) {
        List<String> reasons = new ArrayList<>();
        if (!(factory instanceof ConnectionPool)) {
            reasons.add("Sluice was given a ConnectionFactory that is not an r2dbc-pool ConnectionPool ("
                    + factory.getClass().getName() + "). Keyset scans borrow a connection per page; without a pool "
                    + "every page opens a new connection. Wrap it: new ConnectionPool(ConnectionPoolConfiguration"
                    + ".builder(factory).build()), or use R2dbcRepo.create(r2dbcUrl), which does.");
        }
        ConnectionFactory target = factory;
        while (target instanceof Wrapped<?> wrapped && wrapped.unwrap() instanceof ConnectionFactory inner
                && inner != target) {
            target = inner;
        }
        if (Boolean.FALSE.equals(forceBinary(target))) {
            reasons.add("Sluice was given a PostgreSQL ConnectionFactory without forceBinary: results travel as text, "
                    + "and bytea columns are decoded from hex strings, several times slower. Set "
                    + "PostgresqlConnectionConfiguration.builder().forceBinary(true), add ?forceBinary=true to the "
                    + "URL, or use R2dbcRepo.create(r2dbcUrl), which does.");
        }
        return reasons;
    }

    /** Whether an r2dbc-postgresql factory forces binary; null when that cannot be told. */
    private static @Nullable Boolean forceBinary(ConnectionFactory factory) {
        if (!factory.getClass().getName().equals("io.r2dbc.postgresql.PostgresqlConnectionFactory")) {
            return null;
        }
        try {
            Method getConfiguration = factory.getClass().getDeclaredMethod("getConfiguration");
            getConfiguration.setAccessible(true);
            Object configuration = getConfiguration.invoke(factory);
            Method isForceBinary = configuration.getClass().getDeclaredMethod("isForceBinary");
            isForceBinary.setAccessible(true);
            return (Boolean) isForceBinary.invoke(configuration);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("Could not tell whether the factory forces binary transfer", e);
            return null;
        }
    }
}
