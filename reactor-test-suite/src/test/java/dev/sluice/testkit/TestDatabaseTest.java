package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The test database: one per JVM, and every connection made from it works in its own schema. */
final class TestDatabaseTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final TestDatabase db = TestDatabase.get();

    @Test
    void isOnePerJvm() {
        assertThat(TestDatabase.get()).isSameAs(db);
    }

    @Test
    void schemaIsFreshAndNamedAfterTheRun() {
        assertThat(db.schema()).matches("sluice_test_\\d{14}_[a-z0-9]{6}");
        assertThat(db.queryLong("select count(*) from pg_namespace where nspname = '" + db.schema() + "'"))
                .isEqualTo(1);
    }

    @Test
    void urlLandsInTheSchema() {
        assertThat(firstColumn(ConnectionFactories.get(db.r2dbcUrl()), "select current_schema()"))
                .isEqualTo(db.schema());
    }

    @Test
    void optionsLandInTheSchema() {
        assertThat(firstColumn(ConnectionFactories.get(db.options()), "select current_schema()"))
                .isEqualTo(db.schema());
    }

    @Test
    void searchPathIsTheSchemaAlone() {
        assertThat(firstColumn(ConnectionFactories.get(db.options()), "show search_path")).isEqualTo(db.schema());
    }

    @Test
    void urlForAnotherAddressKeepsEverythingElse() {
        assertThat(db.r2dbcUrl(db.host(), db.port())).isEqualTo(db.r2dbcUrl());
        assertThat(db.r2dbcUrl("127.0.0.2", 6543))
                .contains("@127.0.0.2:6543/")
                .contains("schema=" + db.schema())
                .contains("/" + db.database() + "?");
    }

    @Test
    void urlCarriesTheSameCoordinatesAsTheAccessors() {
        ConnectionFactoryOptions parsed = ConnectionFactoryOptions.parse(db.r2dbcUrl());

        assertThat(parsed.getValue(ConnectionFactoryOptions.HOST)).isEqualTo(db.host());
        assertThat(parsed.getValue(ConnectionFactoryOptions.PORT)).isEqualTo(db.port());
        assertThat(parsed.getValue(ConnectionFactoryOptions.DATABASE)).isEqualTo(db.database());
        assertThat(parsed.getValue(ConnectionFactoryOptions.USER)).isEqualTo(db.user());
        Object password = parsed.getValue(ConnectionFactoryOptions.PASSWORD);
        assertThat(password == null ? null : password.toString()).isEqualTo(db.password());
        assertThat(parsed.getValue(Option.valueOf("schema"))).isEqualTo(db.schema());
        assertThat(parsed.hasOption(Option.valueOf("currentSchema"))).isFalse();
        assertThat(db.options().hasOption(Option.valueOf("forceBinary"))).isFalse();
    }

    @Test
    void fixturesRunInTheSchema() {
        db.execute("create table fixture_probe (id int primary key)",
                "insert into fixture_probe values (1), (2); insert into fixture_probe values (3)");

        assertThat(db.queryLong("select count(*) from fixture_probe")).isEqualTo(3);
        assertThat(db.queryLong("select count(*) from information_schema.tables"
                + " where table_name = 'fixture_probe' and table_schema = '" + db.schema() + "'")).isEqualTo(1);
        db.execute("drop table fixture_probe");
    }

    @Test
    void queryLongReadsIntegersOfEveryWidthAndRejectsTheRest() {
        assertThat(db.queryLong("select 7::int2")).isEqualTo(7);
        assertThat(db.queryLong("select 2147483648::int8")).isEqualTo(2147483648L);
        assertThat(db.queryLong("select 42::numeric")).isEqualTo(42);
        assertThatThrownBy(() -> db.queryLong("select 1 where false")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> db.queryLong("select null::int")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> db.queryLong("select 'x'")).isInstanceOf(IllegalStateException.class);
    }

    private static String firstColumn(ConnectionFactory factory, String sql) {
        List<String> values = Mono.usingWhen(factory.create(),
                        connection -> Flux.from(connection.createStatement(sql).execute())
                                .concatMap(result -> result.map((row, metadata) -> row.get(0, String.class)))
                                .collectList(),
                        Connection::close)
                .block(TIMEOUT);
        assertThat(values).hasSize(1);
        return values.get(0);
    }
}
