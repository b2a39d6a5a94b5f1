package dev.sluice.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import org.jspecify.annotations.Nullable;

/** Where the database is, and how each library connects to it (directly, or through a counting relay's port). */
record Db(String host, int port, String database, String user, @Nullable String password) {

    static Db parse(String r2dbcUrl) {
        ConnectionFactoryOptions o = ConnectionFactoryOptions.parse(r2dbcUrl);
        Object port = o.getValue(ConnectionFactoryOptions.PORT);
        Object password = o.getValue(ConnectionFactoryOptions.PASSWORD);
        return new Db(String.valueOf(o.getRequiredValue(ConnectionFactoryOptions.HOST)),
                port == null ? 5432 : Integer.parseInt(String.valueOf(port)),
                String.valueOf(o.getRequiredValue(ConnectionFactoryOptions.DATABASE)),
                String.valueOf(Objects.requireNonNullElse(o.getValue(ConnectionFactoryOptions.USER), "postgres")),
                password == null ? null : String.valueOf(password));
    }

    /** An R2DBC URL (r2dbc:postgresql://...) to {@code port}, with extra query options such as {@code maxSize=10}. */
    String r2dbcUrl(int port, String query) {
        String auth = user + (password == null ? "" : ":" + password);
        return "r2dbc:postgresql://" + auth + "@" + host + ":" + port + "/" + database
                + (query.isEmpty() ? "" : "?" + query);
    }

    String r2dbcUrl(String query) {
        return r2dbcUrl(port, query);
    }

    /** A plain (unpooled) r2dbc-postgresql factory to {@code port}. */
    PostgresqlConnectionFactory rawFactory(int port, boolean forceBinary, String applicationName) {
        PostgresqlConnectionConfiguration.Builder b = PostgresqlConnectionConfiguration.builder()
                .host(host).port(port).database(database).username(user)
                .forceBinary(forceBinary).applicationName(applicationName);
        if (password != null) {
            b.password(password);
        }
        return new PostgresqlConnectionFactory(b.build());
    }

    /** A pgjdbc connection; {@code options} like {@code "prepareThreshold=-1&binaryTransfer=true"}. */
    Connection jdbc(String options) throws SQLException {
        String url = "jdbc:postgresql://" + host + ":" + port + "/" + database + "?user=" + user
                + (password == null ? "" : "&password=" + password) + (options.isEmpty() ? "" : "&" + options);
        return DriverManager.getConnection(url);
    }

    /** Runs one statement on a fresh autocommit connection. */
    void execute(String sql) throws SQLException {
        try (Connection c = jdbc(""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The first column of the first row of a query, as a string; null when there is no row. */
    @Nullable String queryString(String sql) throws SQLException {
        try (Connection c = jdbc(""); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
