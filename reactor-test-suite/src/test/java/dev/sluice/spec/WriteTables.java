package dev.sluice.spec;

import java.time.Instant;

import dev.sluice.StatementListener;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.testkit.PgWireRelay;

/**
 * The tables of the write specs, one per spec class (all specs share one schema per run, and each write spec empties
 * its table before every test), and repositories on them through a relay.
 */
final class WriteTables {

    enum Mood { CALM, ANGRY }

    static final Instant T0 = Instant.parse("2024-05-01T10:15:30.123456Z");

    private WriteTables() {
    }

    /**
     * Creates {@code table} if it is not there yet: {@code id bigserial} key, {@code sha1 text} unique (constraint
     * {@code <table>_sha1_key}), nullable {@code name}, {@code taken_at} and {@code mood}, {@code size_bytes int}.
     */
    static void create(String table) {
        Fixtures.db().execute("CREATE TABLE IF NOT EXISTS " + table + " (id bigserial PRIMARY KEY, sha1 text NOT NULL"
                + " CONSTRAINT " + table + "_sha1_key UNIQUE, name text, taken_at timestamptz, size_bytes int NOT NULL,"
                + " mood text)");
    }

    /** Empties {@code table} and restarts its key sequence at 1. */
    static void empty(String table) {
        Fixtures.db().execute("TRUNCATE " + table + " RESTART IDENTITY");
    }

    /** Rows in {@code table}, counted on a connection of the test kit (not through the repository under test). */
    static long rows(String table) {
        return Fixtures.db().queryLong("SELECT count(*) FROM " + table);
    }

    /**
     * A repository through the relay on a pool of {@code poolSize} connections, writing {@code writeBatchSize} rows
     * per statement, telling {@code listener} of every statement.
     */
    static R2dbcRepo repo(PgWireRelay relay, int poolSize, int writeBatchSize, StatementListener listener) {
        String url = Fixtures.withParam(Fixtures.db().r2dbcUrl("127.0.0.1", relay.port()), "maxSize", poolSize);
        url = Fixtures.withParam(Fixtures.withParam(url, "initialSize", 1), "applicationName", Fixtures.APPLICATION);
        return R2dbcRepo.builder(url).writeBatchSize(writeBatchSize).statementListener(listener).build();
    }
}
