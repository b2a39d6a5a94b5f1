package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import dev.sluice.examples.ScanDemo;
import dev.sluice.examples.ScanDemoOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scan demo (the README's first command), run small in a schema of its own: it fills the picture table when
 * missing or short, then streams all of it, and what it reports is what the table holds (counted in SQL).
 */
class ScanDemoSpec {

    private static final String SUFFIX = "_scan_demo";

    /** The demo's schema, named after this run's, dropped at the end. */
    private static String schema;
    /** The test database without the testkit's schema, as a user would give it. */
    private static String url;

    @BeforeAll
    static void ownSchema() {
        schema = Fixtures.db().schema() + SUFFIX;
        url = Fixtures.db().r2dbcUrl().replaceFirst("[?&]schema=" + Pattern.quote(Fixtures.db().schema()) + "$", "");
        assertThat(url).doesNotContain("schema=");
        dropSchema();
        // the demo schemas of runs that were killed before they could drop theirs: their run's schema is gone
        Fixtures.db().execute("""
                do $$
                declare stale text;
                begin
                  for stale in
                    select nspname from pg_namespace demo
                    where nspname ~ '^sluice_test_[0-9]{14}_[a-z0-9]{6}%1$s$'
                      and not exists (select 1 from pg_namespace run
                                      where run.nspname = left(demo.nspname, length(demo.nspname) - %2$d))
                  loop
                    execute format('drop schema if exists %%I cascade', stale);
                  end loop;
                end
                $$""".formatted(SUFFIX, SUFFIX.length()));
    }

    @AfterAll
    static void dropSchema() {
        Fixtures.db().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    @Test
    void fillsTheTableWhenShortThenScansAllOfIt() throws Exception {
        dropSchema();
        Run first = run(3_000);
        assertThat(first.result.rowsScanned()).isEqualTo(3_000);
        assertThat(first.printed).contains("Filling table \"" + schema + "\".picture from 0 to 3,000 rows",
                "Scanned 3,000 rows");
        assertThat(first.result.statements()).as("pages of at least 100 rows, and the table's check")
                .isBetween(2L, 3_000L / 100 + 3);
        assertThat(first.result.rowsPerSecond()).isPositive();
        assertThat(first.result.peakHeapBytes()).isPositive();
        assertThat(count("")).isEqualTo(3_000);

        Run again = run(2_000);
        assertThat(again.printed).contains("Table \"" + schema + "\".picture has 3,000 rows already.")
                .doesNotContain("Filling");
        assertThat(again.result.rowsScanned()).isEqualTo(3_000);

        Run more = run(3_500);
        assertThat(more.printed).contains("from 3,000 to 3,500 rows");
        assertThat(more.result.rowsScanned()).isEqualTo(3_500);
        assertThat(count("")).isEqualTo(3_500);
        assertThat(count("WHERE octet_length(data) = 1024 AND size_bytes = 1024 AND octet_length(sha1) = 20"))
                .isEqualTo(3_500);
        assertThat(Fixtures.db().queryLong("SELECT count(DISTINCT sha1) FROM " + schema + ".picture"))
                .isEqualTo(3_500);
        assertThat(Fixtures.db().queryLong("SELECT count(DISTINCT name) FROM " + schema + ".picture"))
                .isEqualTo(3_500);
        if (!first.printed.contains("pgcrypto is not available")) {
            for (long id : new long[] {1, 3_500}) {
                byte[] data = hex("SELECT encode(data, 'hex') FROM " + schema + ".picture WHERE id = " + id);
                assertThat(hex("SELECT encode(sha1, 'hex') FROM " + schema + ".picture WHERE id = " + id))
                        .as("sha1 of row %d", id).isEqualTo(MessageDigest.getInstance("SHA-1").digest(data));
            }
        }
    }

    @Test
    void anUnreachableDatabaseIsSaidWithWhatToDo() throws IOException {
        int closedPort = closedPort();
        ScanDemoOptions options = new ScanDemoOptions("r2dbc:postgresql://postgres:secret@127.0.0.1:" + closedPort
                + "/test", 10, null);
        assertThatThrownBy(() -> ScanDemo.run(options, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8)))
                .isInstanceOf(ScanDemo.DatabaseUnavailableException.class)
                .hasMessageStartingWith("Cannot connect to PostgreSQL at postgres@127.0.0.1:" + closedPort + "/test: ")
                .hasMessageContaining("start PostgreSQL locally")
                .hasMessageContaining("pass --url r2dbc:postgresql://user:password@host:5432/db")
                .hasMessageContaining("set SLUICE_R2DBC_URL=r2dbc:postgresql://user:password@host:5432/db")
                .hasMessageNotContaining("secret");
    }

    @Test
    void optionsComeFromTheCommandLineThenTheEnvironmentThenTheDefaults() {
        String other = "r2dbc:postgresql://u@h:5433/db";
        assertThat(ScanDemoOptions.parse(List.of(), Map.of()))
                .isEqualTo(new ScanDemoOptions("r2dbc:postgresql://postgres@127.0.0.1:5432/test", 1_000_000, null));
        assertThat(ScanDemoOptions.parse(List.of(), Map.of("SLUICE_R2DBC_URL", other)).url()).isEqualTo(other);
        assertThat(ScanDemoOptions.parse(List.of("--url", url, "--rows", "20_000", "--schema", "demo"),
                Map.of("SLUICE_R2DBC_URL", other))).isEqualTo(new ScanDemoOptions(url, 20_000, "demo"));
    }

    @Test
    void badArgumentsSayWhatIsWrong() {
        assertThatThrownBy(() -> parse("--rows", "many")).hasMessage("--rows needs a whole number, got many");
        assertThatThrownBy(() -> parse("--rows", "-1")).hasMessage("--rows must be 0 or more, got -1");
        assertThatThrownBy(() -> parse("--rows")).hasMessage("--rows needs a value");
        assertThatThrownBy(() -> parse("--fast", "1")).hasMessage("unknown option --fast");
        assertThatThrownBy(() -> parse("fast")).hasMessage("unexpected argument fast");
        assertThatThrownBy(() -> parse("--url", "r2dbc:h2:mem:///db"))
                .hasMessage("the demo needs PostgreSQL: give a URL such as "
                        + "r2dbc:postgresql://postgres@127.0.0.1:5432/test");
        assertThatThrownBy(() -> parse("--schema", "Demo-1"))
                .hasMessage("--schema must be a lower-case name of letters, digits and _, got Demo-1");
        assertThatThrownBy(() -> parse("--url", "r2dbc:postgresql://h/db?schema=a", "--schema", "b"))
                .hasMessage("give the schema either in the URL or with --schema, not both");
    }

    @Test
    void theCommandLineRunsTheDemoOrSaysWhatIsWrongWithItsExitCode() throws Exception {
        Fixtures.Forked scanned = Fixtures.forkSmallHeap(ScanDemo.class, Duration.ofMinutes(2),
                "--url", url, "--schema", schema, "--rows", "1000");
        assertThat(scanned.exitCode()).as(scanned.output()).isZero();
        assertThat(scanned.output()).contains(String.format(Locale.ROOT, "Scanned %,d rows", count("")));

        Fixtures.Forked unreachable = Fixtures.forkSmallHeap(ScanDemo.class, Duration.ofMinutes(1),
                "--url", "r2dbc:postgresql://postgres@127.0.0.1:" + closedPort() + "/test");
        assertThat(unreachable.exitCode()).as(unreachable.output()).isEqualTo(1);
        assertThat(unreachable.output()).contains("Cannot connect to PostgreSQL at postgres@127.0.0.1:");

        Fixtures.Forked wrong = Fixtures.forkSmallHeap(ScanDemo.class, Duration.ofMinutes(1), "--rows", "many");
        assertThat(wrong.exitCode()).as(wrong.output()).isEqualTo(2);
        assertThat(wrong.output()).contains("ScanDemo: --rows needs a whole number, got many")
                .contains("Usage: ScanDemo [--url R2DBC_URL] [--rows N] [--schema NAME] [--help]");

        Fixtures.Forked help = Fixtures.forkSmallHeap(ScanDemo.class, Duration.ofMinutes(1), "--help");
        assertThat(help.exitCode()).as(help.output()).isZero();
        assertThat(help.output()).contains("Usage: ScanDemo [--url R2DBC_URL]");
    }

    private record Run(ScanDemo.Result result, String printed) {
    }

    private static Run run(long rows) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ScanDemo.Result result = ScanDemo.run(new ScanDemoOptions(url, rows, schema),
                new PrintStream(printed, true, StandardCharsets.UTF_8));
        return new Run(result, printed.toString(StandardCharsets.UTF_8));
    }

    private static ScanDemoOptions parse(String... args) {
        return ScanDemoOptions.parse(List.of(args), Map.of());
    }

    private static long count(String where) {
        return Fixtures.db().queryLong("SELECT count(*) FROM " + schema + ".picture " + where);
    }

    private static byte[] hex(String sql) {
        return HexFormat.of().parseHex(Fixtures.db().queryString(sql));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
