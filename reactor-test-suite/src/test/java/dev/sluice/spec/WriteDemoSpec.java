package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import dev.sluice.examples.WriteDemo;
import org.junit.jupiter.api.Test;

/** The write demo, run small against the test database: the counts it reports are the rows in its table. */
class WriteDemoSpec {

    @Test
    void copiesUpsertsWithHalfSkippedAndInserts() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        WriteDemo.Outcome outcome = WriteDemo.run(Fixtures.db().r2dbcUrl(), 2_000,
                new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(outcome.copied()).isEqualTo(2_000);
        assertThat(outcome.upserted()).isEqualTo(2_000);
        assertThat(outcome.upsertInserted()).isEqualTo(1_000);
        assertThat(outcome.upsertSkipped()).isEqualTo(1_000);
        assertThat(outcome.insertAllInserted()).isEqualTo(2_000);
        assertThat(outcome.copyRowsPerSecond()).isPositive();
        assertThat(outcome.upsertRowsPerSecond()).isPositive();
        assertThat(outcome.insertAllRowsPerSecond()).isPositive();

        assertThat(Fixtures.db().queryLong("SELECT count(*) FROM " + WriteDemo.TABLE)).isEqualTo(5_000);
        assertThat(Fixtures.db().queryLong("SELECT count(DISTINCT sha1) FROM " + WriteDemo.TABLE)).isEqualTo(5_000);
        assertThat(Fixtures.db().queryLong("SELECT count(*) FROM " + WriteDemo.TABLE
                + " WHERE octet_length(sha1) = 20 AND octet_length(data) = 1024")).isEqualTo(5_000);
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("copyIn", "insertAll", "(1,000 inserted, 1,000 skipped as duplicates)");
    }

    @Test
    void theSamePictureIsTheSameEveryTime() throws Exception {
        WriteDemo.Picture a = WriteDemo.picture(42);
        assertThat(a.sha1()).isEqualTo(MessageDigest.getInstance("SHA-1").digest(a.data()));
        WriteDemo.Picture b = WriteDemo.picture(42);
        assertThat(a.sha1()).isEqualTo(b.sha1()).hasSize(20);
        assertThat(a.data()).isEqualTo(b.data()).hasSize(1024);
        assertThat(WriteDemo.picture(43).sha1()).isNotEqualTo(a.sha1());
    }

    @Test
    void anUnreachableDatabaseIsSaidInOneLine() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "r2dbc:postgresql://postgres:secret@127.0.0.1:" + closedPort + "/test";
        assertThatThrownBy(() -> WriteDemo.run(url, 10, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8)))
                .isInstanceOf(WriteDemo.UnreachableException.class)
                .hasMessageStartingWith("Cannot reach the database at r2dbc:postgresql://postgres:***@127.0.0.1:"
                        + closedPort + "/test (")
                .hasMessageEndingWith("Start PostgreSQL, or pass --url or set SLUICE_R2DBC_URL.")
                .hasMessageNotContaining("secret");
    }
}
