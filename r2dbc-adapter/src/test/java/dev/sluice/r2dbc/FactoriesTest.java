package dev.sluice.r2dbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Which factories Sluice warns about. Building a factory does not connect, so no database is needed. */
class FactoriesTest {

    private static PostgresqlConnectionFactory postgres(boolean binary) {
        return new PostgresqlConnectionFactory(PostgresqlConnectionConfiguration.builder()
                .host("127.0.0.1").username("postgres").database("test").forceBinary(binary).build());
    }

    @Test
    void anUnpooledTextFactoryGetsBothWarnings() {
        assertThat(Factories.slowness(postgres(false))).satisfiesExactly(
                unpooled -> assertThat(unpooled).contains("not an r2dbc-pool ConnectionPool")
                        .contains("R2dbcRepo.create(r2dbcUrl)"),
                text -> assertThat(text).contains("without forceBinary").contains("?forceBinary=true"));
    }

    @Test
    void aPoolIsSeenThroughToItsTextFactory() {
        ConnectionPool pool = new ConnectionPool(ConnectionPoolConfiguration.builder(postgres(false)).build());
        try {
            assertThat(Factories.slowness(pool)).singleElement().asString().contains("without forceBinary");
        } finally {
            pool.dispose();
        }
    }

    @Test
    void aPooledBinaryFactoryAndTheUrlFactoryAreFine() {
        ConnectionPool pool = new ConnectionPool(ConnectionPoolConfiguration.builder(postgres(true)).build());
        ConnectionPool fromUrl = Factories.pooled("r2dbc:postgresql://postgres@127.0.0.1:5432/test",
                PoolTimes.UNSET);
        try {
            assertThat(Factories.slowness(pool)).isEmpty();
            assertThat(Factories.slowness(fromUrl)).isEmpty();
        } finally {
            pool.dispose();
            fromUrl.dispose();
        }
    }

    @Test
    void theUrlFactoryKeepsAnExplicitForceBinarySetting() {
        ConnectionPool text = Factories.pooled("r2dbc:postgresql://postgres@127.0.0.1:5432/test?forceBinary=false", PoolTimes.UNSET);
        try {
            assertThat(Factories.slowness(text)).singleElement().asString().contains("without forceBinary");
        } finally {
            text.dispose();
        }
    }

    @Test
    void aUrlPoolWaitsAndKeepsConnectionsForSluicesDefaultTimesAndRetriesNoBorrowItself() {
        ConnectionFactoryOptions options = Factories.poolOptions("r2dbc:postgresql://postgres@127.0.0.1:5432/test",
                PoolTimes.UNSET);
        assertThat(options.getValue(Factories.MAX_ACQUIRE_TIME)).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.getValue(Factories.MAX_IDLE_TIME)).isEqualTo(Duration.ofMinutes(10));
        assertThat(options.getValue(Factories.MAX_LIFE_TIME)).isEqualTo(Duration.ofMinutes(30));
        assertThat(options.getValue(Option.valueOf("acquireRetry"))).isEqualTo(0);
    }

    @Test
    void theBuildersTimesWinOverTheUrlsWhichWinOverTheDefaults() {
        ConnectionFactoryOptions options = Factories.poolOptions(
                "r2dbc:postgresql://postgres@127.0.0.1:5432/test?maxAcquireTime=PT2S&maxIdleTime=PT1M&acquireRetry=3",
                PoolTimes.UNSET.withMaxIdleTime(Duration.ofSeconds(5)));
        assertThat(options.getValue(Factories.MAX_ACQUIRE_TIME)).hasToString("PT2S");
        assertThat(options.getValue(Factories.MAX_IDLE_TIME)).isEqualTo(Duration.ofSeconds(5));
        assertThat(options.getValue(Factories.MAX_LIFE_TIME)).isEqualTo(Duration.ofMinutes(30));
        assertThat(options.getValue(Option.valueOf("acquireRetry"))).hasToString("3");
    }
}
