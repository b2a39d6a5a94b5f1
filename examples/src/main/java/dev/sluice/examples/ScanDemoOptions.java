package dev.sluice.examples;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import org.jspecify.annotations.Nullable;

/**
 * What {@link ScanDemo} runs against.
 *
 * @param url    an R2DBC URL of a PostgreSQL database, e.g. {@code r2dbc:postgresql://user:password@host:5432/db}
 * @param rows   the table is filled up to at least this many rows before the scan
 * @param schema the schema to keep the {@code picture} table in (and pgcrypto, if the database has none yet),
 *               created if missing; {@code null} for the connection's default (its {@code search_path})
 */
public record ScanDemoOptions(String url, long rows, @Nullable String schema) {

    /** The URL used when neither {@code --url} nor {@code SLUICE_R2DBC_URL} gives one. */
    public static final String DEFAULT_URL = "r2dbc:postgresql://postgres@127.0.0.1:5432/test";

    /** The number of rows used when {@code --rows} is not given. */
    public static final long DEFAULT_ROWS = 1_000_000;

    static final String USAGE = String.format(Locale.ROOT, """
            Usage: ScanDemo [--url R2DBC_URL] [--rows N] [--schema NAME] [--help]
              --url R2DBC_URL  the PostgreSQL database; default: $SLUICE_R2DBC_URL if set, else
                               %s
              --rows N         fill the picture table up to at least N rows, then scan it all; default %,d
              --schema NAME    keep the picture table (and pgcrypto, if the database has none yet) in this
                               schema, created if missing, e.g. for a test of its own; default: the
                               connection's search_path (usually public)
              --help           print this and exit
            Exit codes: 0 done, 1 no database, 2 bad arguments.""", DEFAULT_URL, DEFAULT_ROWS);

    private static final String URL_VARIABLE = "SLUICE_R2DBC_URL";
    private static final Option<String> SCHEMA_OPTION = Option.valueOf("schema");
    private static final Pattern PLAIN_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /**
     * @throws IllegalArgumentException if the URL is not a PostgreSQL R2DBC URL, rows is negative or the schema
     *                                  is not a plain lower-case name
     */
    public ScanDemoOptions {
        Objects.requireNonNull(url, "url");
        ConnectionFactoryOptions parsed = ConnectionFactoryOptions.parse(url);
        Object driver = parsed.getValue(ConnectionFactoryOptions.DRIVER);
        if (!isPostgres(driver) && !("pool".equals(driver)
                && isPostgres(parsed.getValue(ConnectionFactoryOptions.PROTOCOL)))) {
            throw new IllegalArgumentException("the demo needs PostgreSQL: give a URL such as " + DEFAULT_URL);
        }
        if (schema != null && parsed.hasOption(SCHEMA_OPTION)) {
            throw new IllegalArgumentException("give the schema either in the URL or with --schema, not both");
        }
        if (rows < 0) {
            throw new IllegalArgumentException("--rows must be 0 or more, got " + rows);
        }
        if (schema != null && !PLAIN_NAME.matcher(schema).matches()) {
            throw new IllegalArgumentException("--schema must be a lower-case name of letters, digits and _, got "
                    + schema);
        }
    }

    /**
     * The options of the command line, for {@code main}: prints the usage and exits with 0 on {@code --help}, and
     * with 2 on a bad argument, after saying what was wrong.
     */
    static ScanDemoOptions ofCommandLine(String[] args) {
        List<String> arguments = List.of(args);
        if (arguments.contains("--help") || arguments.contains("-h")) {
            System.out.println(USAGE);
            System.exit(0);
        }
        try {
            return parse(arguments, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("ScanDemo: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            throw e;
        }
    }

    /**
     * Options from command-line arguments ({@code --help} excepted), with the URL defaulting to the environment
     * variable {@code SLUICE_R2DBC_URL}, then {@link #DEFAULT_URL}.
     *
     * @throws IllegalArgumentException saying which argument is wrong
     */
    public static ScanDemoOptions parse(List<String> args, Map<String, String> environment) {
        String url = environment.getOrDefault(URL_VARIABLE, "");
        long rows = DEFAULT_ROWS;
        String schema = null;
        for (int i = 0; i < args.size(); i += 2) {
            String name = args.get(i);
            if (i + 1 == args.size()) {
                throw new IllegalArgumentException(name.startsWith("--") ? name + " needs a value"
                        : "unexpected argument " + name);
            }
            String value = args.get(i + 1);
            switch (name) {
                case "--url" -> url = value;
                case "--rows" -> rows = rows(value);
                case "--schema" -> schema = value;
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        return new ScanDemoOptions(url.isBlank() ? DEFAULT_URL : url, rows, schema);
    }

    private static boolean isPostgres(@Nullable Object driver) {
        return "postgresql".equals(driver) || "postgres".equals(driver);
    }

    private static long rows(String value) {
        try {
            return Long.parseLong(value.replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--rows needs a whole number, got " + value);
        }
    }

    /**
     * The URL for the repository: with a schema, its connections look tables and functions up there first, then
     * in public (where pgcrypto may be already).
     */
    String connectionUrl() {
        return schema == null ? url
                : url + (url.contains("?") ? "&" : "?") + SCHEMA_OPTION.name() + "=" + schema + ",public";
    }

    /** The table's name in SQL. */
    String table() {
        return schema == null ? "picture" : '"' + schema + "\".picture";
    }
}
