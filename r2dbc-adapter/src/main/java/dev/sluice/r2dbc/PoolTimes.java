package dev.sluice.r2dbc;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * How long a pool built from a URL waits for a connection and keeps one; null where not set.
 *
 * @param maxAcquireTime the longest wait for a connection when all are busy
 * @param maxIdleTime    how long an unused connection stays in the pool
 * @param maxLifeTime    how long any connection stays in the pool, so none outlives a failover or a proxy's limit
 */
record PoolTimes(@Nullable Duration maxAcquireTime, @Nullable Duration maxIdleTime, @Nullable Duration maxLifeTime) {

    /** Sluice's defaults, as HikariCP's: wait 30 seconds, drop idle connections after 10 minutes, any after 30. */
    static final PoolTimes DEFAULTS = new PoolTimes(Duration.ofSeconds(30), Duration.ofMinutes(10),
            Duration.ofMinutes(30));

    static final PoolTimes UNSET = new PoolTimes(null, null, null);

    PoolTimes withMaxAcquireTime(Duration time) {
        return new PoolTimes(time, maxIdleTime, maxLifeTime);
    }

    PoolTimes withMaxIdleTime(Duration time) {
        return new PoolTimes(maxAcquireTime, time, maxLifeTime);
    }

    PoolTimes withMaxLifeTime(Duration time) {
        return new PoolTimes(maxAcquireTime, maxIdleTime, time);
    }

    boolean isUnset() {
        return equals(UNSET);
    }
}
