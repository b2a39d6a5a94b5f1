package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.testkit.TestDatabase;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;

/**
 * Every component type Sluice reads, with the edge values of each, read through Sluice and compared value by value
 * with pgjdbc reading the same rows: {@code BigDecimal} with its scale, floats bit for bit, arrays element by element.
 * Once with binary transfer ({@link R2dbcRepo#create(String)}, forceBinary), once with text transfer (a factory
 * without forceBinary, in a session time zone whose old offsets have seconds), through both read paths: entity reads
 * (scan, findById) and {@code query(type, sql)}.
 */
class TypeFidelitySpec {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** How results travel from the server. */
    enum Transfer {
        BINARY, TEXT;

        String url() {
            String url = Fixtures.db().r2dbcUrl();
            if (this == TEXT) {
                // text, and old timestamptz values printed with their local mean time offsets (+00:19:32)
                url = Fixtures.withParam(Fixtures.withParam(url, "forceBinary", false), "timeZone",
                        "Europe/Amsterdam");
            }
            return url;
        }

        R2dbcRepo repo() {
            return R2dbcRepo.create(url());
        }
    }

    enum Mood { HAPPY, SAD }

    /** One column of every type; the primitives' columns are NOT NULL, all others hold NULL in the last row. */
    @Table("fidelity")
    record Fidelity(@Id Long id,
                    boolean pBool, short pShort, int pInt, long pLong, float pFloat, double pDouble,
                    Boolean bBool, Short bShort, Integer bInt, Long bLong, Float bFloat, Double bDouble,
                    Double floatAsDouble, BigDecimal num, BigDecimal money, Double numAsDouble,
                    BigDecimal longAsDecimal, BigDecimal intAsDecimal, Integer shortAsInt, Long intAsLong,
                    String txt, String vc, String ch, String js, String jn, byte[] bin, UUID uid,
                    Instant tsInstant, OffsetDateTime tsOffset, ZonedDateTime tsZoned, LocalDateTime tsLocal,
                    LocalDate day, LocalTime tod, OffsetTime todTz,
                    Boolean[] aBool, Short[] aShort, Integer[] aInt, Long[] aLong, Float[] aFloat, Double[] aDouble,
                    BigDecimal[] aNum, Double[] aNumDouble, BigDecimal[] aLongAsDecimal, String[] aText,
                    String[] aVc, String[] aCh, String[] aJs, UUID[] aUuid, Instant[] aInstant,
                    OffsetDateTime[] aOffset, LocalDate[] aDay, LocalDateTime[] aLocal, LocalTime[] aTime) {
    }

    /** Enums travel as text: an entity of its own, since {@code query(type, sql)} maps no enums. */
    @Table("fidelity")
    record FidelityMood(@Id Long id, Mood mood, Mood moodOrNull) {
    }

    /** Keys a keyset scan resumes after: each page starts after the last key read, bound back as it was read. */
    @Table("key_day")
    record KeyDay(@Id LocalDate day) {
    }

    @Table("key_amount")
    record KeyAmount(@Id BigDecimal amount) {
    }

    @Table("key_instant")
    record KeyInstant(@Id Instant at) {
    }

    @Table("key_local")
    record KeyLocal(@Id LocalDateTime at) {
    }

    /** A column: its SQL type and the SQL literals of its values, one per row (repeated when fewer than rows). */
    record Column(String component, String name, String sqlType, boolean notNull, List<String> values) {
        static Column of(String component, String sqlType, String... values) {
            return new Column(component, snake(component), sqlType, false, List.of(values));
        }

        static Column notNull(String component, String sqlType, String... values) {
            return new Column(component, snake(component), sqlType, true, List.of(values));
        }

        String elementType() {
            return sqlType.substring(0, sqlType.length() - 2);
        }

        boolean array() {
            return sqlType.endsWith("[]");
        }
    }

    static final String BYTE_VALUES_HEX;

    static {
        StringBuilder hex = new StringBuilder();
        for (int b = 0; b < 256; b++) {
            hex.append(String.format("%02x", b));
        }
        BYTE_VALUES_HEX = hex.toString();
    }

    static final String INSTANTS = "'2000-01-01 00:00:00+00'|'1970-01-01 00:00:00.000001+00'"
            + "|'1969-12-31 23:59:59.999999+00'|'2026-12-01 12:34:56.789012+05:45'|'0001-01-01 00:00:00+00'"
            + "|'1582-10-04 23:59:59.999999+00'|'1582-10-15 00:00:00+00'|'0044-03-15 12:00:00+00 BC'"
            + "|'4713-01-01 00:00:00+00 BC'|'294276-12-31 23:59:59.999999+00'|'1900-01-01 00:00:00+01'";
    static final String LOCAL_TIMESTAMPS = "'2000-01-01 00:00:00'|'1969-12-31 23:59:59.999999'"
            + "|'2026-12-01 12:34:56.789012'|'0001-01-01 00:00:00'|'1582-10-04 23:59:59.999999'"
            + "|'0044-03-15 12:00:00.5 BC'|'4713-01-01 00:00:00 BC'|'294276-12-31 23:59:59.999999'";
    static final String DATES = "'2000-01-01'|'1999-12-31'|'1970-01-01'|'0001-01-01'|'1582-10-04'|'1582-10-15'"
            + "|'0044-03-15 BC'|'4713-01-01 BC'|'5874897-12-31'";

    static final List<Column> COLUMNS = List.of(
            Column.notNull("pBool", "boolean", "true", "false"),
            Column.notNull("pShort", "smallint", "0", "-32768", "32767", "-1"),
            Column.notNull("pInt", "integer", "0", "-2147483648", "2147483647", "-1"),
            Column.notNull("pLong", "bigint", "0", "-9223372036854775808", "9223372036854775807", "-1"),
            Column.notNull("pFloat", "real", "'-0'", "'NaN'", "'Infinity'", "'-Infinity'", "1.1", "3.4028235e38",
                    "1.4e-45", "0"),
            Column.notNull("pDouble", "double precision", "'-0'", "'NaN'", "'Infinity'", "'-Infinity'", "0.1",
                    "1.7976931348623157e308", "4.9e-324", "1.0000000000000002"),
            Column.of("bBool", "boolean", "true", "false"),
            Column.of("bShort", "smallint", "-32768", "32767", "0"),
            Column.of("bInt", "integer", "-2147483648", "2147483647", "0"),
            Column.of("bLong", "bigint", "-9223372036854775808", "9223372036854775807", "0"),
            Column.of("bFloat", "real", "'-0'", "'NaN'", "'Infinity'", "'-Infinity'", "1.1", "1.17549435e-38"),
            Column.of("bDouble", "double precision", "'-0'", "'NaN'", "'Infinity'", "'-Infinity'", "0.1",
                    "2.2250738585072014e-308"),
            Column.of("floatAsDouble", "real", "1.1", "'-0'", "'NaN'", "'-Infinity'", "16777217"),
            Column.of("num", "numeric", "0", "0.00", "1.10", "-1.10", "10000", "9999.9999", "-0.5",
                    "0.000000000000000000001", "100000000000000000000",
                    "123456789012345678901234567890.123456789012345678901234567890", "-0.0001000", "1e-1000"),
            Column.of("money", "numeric(12,2)", "0.00", "1.10", "-9999999999.99", "0.01", "1000.00", "5"),
            Column.of("numAsDouble", "numeric", "'NaN'", "'Infinity'", "'-Infinity'", "0.1", "1.10",
                    "123456789.123456789", "0.00"),
            Column.of("longAsDecimal", "bigint", "-9223372036854775808", "9223372036854775807", "0"),
            Column.of("intAsDecimal", "integer", "-2147483648", "2147483647", "0"),
            Column.of("shortAsInt", "smallint", "-32768", "32767"),
            Column.of("intAsLong", "integer", "-2147483648", "2147483647"),
            Column.of("txt", "text", "''", "E'tab\\there\\nnewline\\\\backslash \"double\" ''single'''",
                    "U&'\\+01F600 \\+01D11E beyond the BMP, \\00E9 in it'", "'NULL'", "' spaces '", "'{x,y}'",
                    "repeat('long ', 20000)"),
            Column.of("vc", "varchar(20)", "''", "'x'", "U&'\\+01F600'"),
            Column.of("ch", "char(5)", "'ab'", "''", "'abcde'", "U&'\\00E9'"),
            Column.of("js", "jsonb", "'{\"a\": [1, \"x\\u00e9\"], \"b\": null}'", "'[]'", "'\"\\ud83d\\ude00\"'"),
            Column.of("jn", "json", "'{\"a\" :  1}'", "'[ ]'"),
            Column.of("bin", "bytea", "'\\x'", "'\\x00ff'", "decode(repeat('" + BYTE_VALUES_HEX + "', 4096), 'hex')"),
            Column.of("uid", "uuid", "'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'",
                    "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"),
            Column.of("tsInstant", "timestamptz", (INSTANTS + "|'infinity'|'-infinity'").split("\\|")),
            Column.of("tsOffset", "timestamptz", (INSTANTS + "|'infinity'|'-infinity'").split("\\|")),
            Column.of("tsZoned", "timestamptz", INSTANTS.split("\\|")),
            Column.of("tsLocal", "timestamp", (LOCAL_TIMESTAMPS + "|'infinity'|'-infinity'").split("\\|")),
            Column.of("day", "date", (DATES + "|'infinity'|'-infinity'").split("\\|")),
            Column.of("tod", "time", "'00:00:00'", "'23:59:59.999999'", "'24:00:00'", "'12:34:56.000001'"),
            Column.of("todTz", "timetz", "'00:00:00+00'", "'23:59:59.999999-15:59'", "'12:00:00+05:30:15'",
                    "'24:00:00+02'", "'00:00:00.000001-00:00:01'"),
            Column.of("aBool", "boolean[]", "ARRAY[true, NULL, false]", "'{}'"),
            Column.of("aShort", "smallint[]", "ARRAY[-32768, NULL, 32767]", "'{}'"),
            Column.of("aInt", "integer[]", "ARRAY[-2147483648, NULL, 2147483647]", "'[0:1]={1,2}'"),
            Column.of("aLong", "bigint[]", "ARRAY[-9223372036854775808, NULL, 9223372036854775807]"),
            Column.of("aFloat", "real[]", "ARRAY['-0', 'NaN', NULL, '1.1', '-Infinity']"),
            Column.of("aDouble", "double precision[]", "ARRAY['-0', 'NaN', NULL, '0.1', 'Infinity']"),
            Column.of("aNum", "numeric[]", "ARRAY[0.00, 1.10, NULL, -123.456, 1e-30, 10000]", "'{}'"),
            Column.of("aNumDouble", "numeric[]", "ARRAY['NaN', 'Infinity', '-Infinity', NULL, '0.1']"),
            Column.of("aLongAsDecimal", "bigint[]", "ARRAY[-9223372036854775808, NULL, 9223372036854775807]"),
            Column.of("aText", "text[]", "ARRAY['a,b', NULL, 'NULL', 'null', '\"q\"', 'back\\slash', '', ' sp ', "
                    + "'{x}', E'tab\\there', U&'\\+01F600']", "'{}'", "ARRAY[NULL]::text[]"),
            Column.of("aVc", "varchar(5)[]", "ARRAY['a b', NULL, '', U&'\\+01F600']"),
            Column.of("aCh", "char(3)[]", "ARRAY['a', NULL, 'abc', '']"),
            Column.of("aJs", "jsonb[]", "ARRAY['{\"a\": \"x,}\\\"y\"}'::jsonb, NULL, '[]']"),
            Column.of("aUuid", "uuid[]", "ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, NULL]"),
            Column.of("aInstant", "timestamptz[]", "ARRAY[" + INSTANTS.replace('|', ',')
                    + ", 'infinity', '-infinity', NULL]"),
            Column.of("aOffset", "timestamptz[]", "ARRAY[" + INSTANTS.replace('|', ',')
                    + ", 'infinity', '-infinity', NULL]"),
            Column.of("aDay", "date[]", "ARRAY[" + DATES.replace('|', ',') + ", 'infinity', '-infinity', NULL]"),
            Column.of("aLocal", "timestamp[]", "ARRAY[" + LOCAL_TIMESTAMPS.replace('|', ',')
                    + ", 'infinity', '-infinity', NULL]"),
            Column.of("aTime", "time[]", "ARRAY['00:00:00', '24:00:00', NULL, '12:34:56.000001']"),
            Column.of("mood", "text", "'HAPPY'", "'SAD'"),
            Column.of("moodOrNull", "text", "'SAD'"));

    /** Rows: enough for the longest list of values, and one more holding NULL in every nullable column. */
    static final int ROWS = COLUMNS.stream().mapToInt(c -> c.values().size()).max().orElseThrow() + 1;

    @BeforeAll
    static void table() {
        List<String> statements = new ArrayList<>();
        statements.add("DROP TABLE IF EXISTS fidelity");
        statements.add("CREATE TABLE fidelity (id bigint PRIMARY KEY, " + COLUMNS.stream()
                .map(c -> c.name() + " " + c.sqlType() + (c.notNull() ? " NOT NULL" : ""))
                .collect(Collectors.joining(", ")) + ")");
        for (int row = 1; row <= ROWS; row++) {
            int r = row;
            statements.add("INSERT INTO fidelity (id, " + COLUMNS.stream().map(Column::name)
                    .collect(Collectors.joining(", ")) + ") VALUES (" + row + ", " + COLUMNS.stream()
                    .map(c -> r == ROWS && !c.notNull() ? "NULL"
                            : "(" + c.values().get((r - 1) % c.values().size()) + ")::" + c.sqlType())
                    .collect(Collectors.joining(", ")) + ")");
        }
        statements.addAll(List.of(
                "DROP TABLE IF EXISTS key_day, key_amount, key_instant, key_local",
                "CREATE TABLE key_day (day date PRIMARY KEY)",
                "INSERT INTO key_day VALUES ('-infinity'), ('0044-03-15 BC'), ('0001-01-01'), "
                        + "('1582-10-04'), ('1582-10-15'), ('2000-01-01'), ('infinity')",
                "CREATE TABLE key_amount (amount numeric PRIMARY KEY)",
                "INSERT INTO key_amount VALUES (0.00), (0.001), (1.10), (2.5), (123456789012345678901234567890.1)",
                "CREATE TABLE key_instant (at timestamptz PRIMARY KEY)",
                "INSERT INTO key_instant VALUES ('-infinity'), ('0044-03-15 12:00:00+00 BC'), "
                        + "('0001-01-01 00:00:00+00'), ('1969-12-31 23:59:59.999999+00'), ('2000-01-01 00:00:00+00'), "
                        + "('infinity')",
                "CREATE TABLE key_local (at timestamp PRIMARY KEY)",
                "INSERT INTO key_local VALUES ('-infinity'), ('0044-03-15 12:00:00 BC'), ('0001-01-01 00:00:00'), "
                        + "('1969-12-31 23:59:59.999999'), ('infinity')"));
        Fixtures.db().execute(statements.toArray(String[]::new));
    }

    @ParameterizedTest
    @EnumSource(Transfer.class)
    void keysetPagesResumeAfterTheKeysAsRead(Transfer transfer) throws SQLException {
        try (R2dbcRepo repo = R2dbcRepo.builder(transfer.url()).minPageSize(1).maxPageSize(1).build()) {
            assertThat(repo.scan(KeyDay.class).map(KeyDay::day).collectList().block(TIMEOUT))
                    .containsExactlyElementsOf(pgjdbcKeys("key_day", "day", LocalDate.class, "date"));
            assertThat(repo.scan(KeyAmount.class).map(KeyAmount::amount).collectList().block(TIMEOUT))
                    .usingElementComparator((a, b) -> same(a, b) ? 0 : 1)
                    .containsExactlyElementsOf(pgjdbcKeys("key_amount", "amount", BigDecimal.class, "numeric"));
            assertThat(repo.scan(KeyInstant.class).map(KeyInstant::at).collectList().block(TIMEOUT))
                    .containsExactlyElementsOf(pgjdbcKeys("key_instant", "at", Instant.class, "timestamptz"));
            assertThat(repo.scan(KeyLocal.class).map(KeyLocal::at).collectList().block(TIMEOUT))
                    .containsExactlyElementsOf(pgjdbcKeys("key_local", "at", LocalDateTime.class, "timestamp"));
        }
    }

    /**
     * 45 BC was a leap year in the proleptic Gregorian calendar (java.time's year -44); 45 AD was not. pgjdbc
     * 42.7.13 cannot read this day ("Invalid date 'February 29' as '45' is not a leap year"), so the truth here is
     * the server's own text.
     */
    @ParameterizedTest
    @EnumSource(Transfer.class)
    void aLeapDayBeforeChristReadsAsTheServerPrintsIt(Transfer transfer) {
        String day = "0045-02-29 BC";
        try (R2dbcRepo repo = transfer.repo()) {
            LocalDate read = repo.query(KeyDay.class, "SELECT date '" + day + "' AS day").map(KeyDay::day)
                    .blockLast(TIMEOUT);
            assertThat(read).isNotNull();
            assertThat(String.format("%04d-%02d-%02d %s", read.get(ChronoField.YEAR_OF_ERA), read.getMonthValue(),
                    read.getDayOfMonth(), read.getYear() < 1 ? "BC" : "AD"))
                    .isEqualTo(Fixtures.queryString("SELECT to_char(date '" + day + "', 'YYYY-MM-DD BC')"));
        }
    }

    private static <K> List<K> pgjdbcKeys(String table, String column, Class<K> type, String sqlType)
            throws SQLException {
        List<K> keys = new ArrayList<>();
        try (java.sql.Connection jdbc = jdbc(); Statement statement = jdbc.createStatement();
             ResultSet rs = statement.executeQuery("SELECT " + column + " FROM " + table + " ORDER BY " + column)) {
            while (rs.next()) {
                keys.add(type.cast(scalar(rs, column, type, sqlType)));
            }
        }
        return keys;
    }

    private static java.sql.Connection jdbc() throws SQLException {
        TestDatabase db = Fixtures.db();
        return DriverManager.getConnection("jdbc:postgresql://" + db.host() + ":" + db.port() + "/" + db.database()
                + "?currentSchema=" + db.schema(), db.user(), db.password());
    }

    @ParameterizedTest
    @EnumSource(Transfer.class)
    void entityReadsEqualPgjdbc(Transfer transfer) throws SQLException {
        List<Fidelity> read;
        Fidelity byId;
        try (R2dbcRepo repo = transfer.repo()) {
            read = repo.scan(Fidelity.class).collectList().block(TIMEOUT);
            byId = repo.findById(Fidelity.class, 2L).block(TIMEOUT);
        }
        assertThat(read).hasSize(ROWS);
        List<String> differences = differences(read);
        differences.addAll(differences(List.of(Objects.requireNonNull(byId))));
        assertThat(differences).as("values that differ from pgjdbc's (%s transfer)", transfer).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Transfer.class)
    void queryReadsEqualPgjdbc(Transfer transfer) throws SQLException {
        List<Fidelity> read;
        try (R2dbcRepo repo = transfer.repo()) {
            read = repo.query(Fidelity.class, "SELECT * FROM fidelity ORDER BY id").collectList().block(TIMEOUT);
        }
        assertThat(read).hasSize(ROWS);
        assertThat(differences(read)).as("values that differ from pgjdbc's (%s transfer)", transfer).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Transfer.class)
    void enumsReadByName(Transfer transfer) {
        try (R2dbcRepo repo = transfer.repo()) {
            List<FidelityMood> read = repo.scan(FidelityMood.class).collectList().block(TIMEOUT);
            assertThat(read).hasSize(ROWS);
            assertThat(read.get(0)).isEqualTo(new FidelityMood(1L, Mood.HAPPY, Mood.SAD));
            assertThat(read.get(1)).isEqualTo(new FidelityMood(2L, Mood.SAD, Mood.SAD));
            assertThat(read.get(ROWS - 1)).isEqualTo(new FidelityMood((long) ROWS, null, null));
        }
    }

    /**
     * Sluice's extension is loaded on every r2dbc-postgresql connection of the JVM, so it must change nothing that
     * other code reads: plain R2DBC reads every column the same with it as without it (the driver's values, lossy
     * or not, and the driver's errors).
     */
    @ParameterizedTest
    @EnumSource(Transfer.class)
    void plainR2dbcReadsTheSameWithAndWithoutSluicesExtension(Transfer transfer) {
        List<String> with = plainR2dbcReads(transfer.url());
        List<String> without = plainR2dbcReads(Fixtures.withParam(transfer.url(), "autodetectExtensions", false));
        assertThat(with).hasSize(ROWS * (Fidelity.class.getRecordComponents().length));
        assertThat(with).isEqualTo(without);
    }

    private static List<String> plainR2dbcReads(String url) {
        ConnectionFactory factory = ConnectionFactories.get(url);
        return Flux.usingWhen(factory.create(), connection -> Flux.from(connection
                        .createStatement("SELECT * FROM fidelity WHERE id > $1 ORDER BY id").bind(0, 0L).execute())
                        .concatMap(result -> result.map((row, metadata) -> {
                            List<String> values = new ArrayList<>();
                            for (RecordComponent component : Fidelity.class.getRecordComponents()) {
                                String column = snake(component.getName());
                                Class<?> type = component.getType().isPrimitive() ? box(component.getType())
                                        : component.getType();
                                String read;
                                try {
                                    read = describe(row.get(column, type));
                                } catch (RuntimeException e) {
                                    read = "fails: " + e.getClass().getName();
                                }
                                values.add(column + " " + read);
                            }
                            return values;
                        })), Connection::close)
                .concatMapIterable(values -> values).collectList().block(TIMEOUT);
    }

    /** Every value of {@code rows} that differs from what pgjdbc reads for its row, described. */
    static List<String> differences(List<Fidelity> rows) throws SQLException {
        Map<Long, Map<String, Object>> truth = pgjdbcTruth();
        List<String> differences = new ArrayList<>();
        for (Fidelity row : rows) {
            Map<String, Object> expected = truth.get(row.id());
            for (Column column : COLUMNS) {
                RecordComponent component = component(column.component());
                if (component == null) {
                    continue; // an enum column, read by its own entity
                }
                Object actual;
                try {
                    actual = component.getAccessor().invoke(row);
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
                Object wanted = expected.get(column.name());
                if (!same(actual, wanted)) {
                    differences.add("row " + row.id() + " " + column.name() + " (" + column.sqlType() + "): Sluice "
                            + describe(actual) + ", pgjdbc " + describe(wanted));
                }
            }
        }
        return differences;
    }

    private static RecordComponent component(String name) {
        return Arrays.stream(Fidelity.class.getRecordComponents()).filter(c -> c.getName().equals(name)).findFirst()
                .orElse(null);
    }

    /** What pgjdbc reads, by row id and column name; arrays element by element through {@code unnest}. */
    static Map<Long, Map<String, Object>> pgjdbcTruth() throws SQLException {
        Map<Long, Map<String, Object>> truth = new HashMap<>();
        try (java.sql.Connection jdbc = jdbc(); Statement statement = jdbc.createStatement()) {
            try (ResultSet rs = statement.executeQuery("SELECT * FROM fidelity")) {
                while (rs.next()) {
                    Map<String, Object> values = new HashMap<>();
                    for (Column column : COLUMNS) {
                        RecordComponent component = component(column.component());
                        if (component != null && !column.array()) {
                            values.put(column.name(), scalar(rs, column.name(), component.getType(), column.sqlType()));
                        }
                    }
                    truth.put(rs.getLong("id"), values);
                }
            }
            for (Column column : COLUMNS) {
                RecordComponent component = component(column.component());
                if (component == null || !column.array()) {
                    continue;
                }
                Class<?> element = component.getType().getComponentType();
                try (ResultSet rs = statement.executeQuery("SELECT id, cardinality(" + column.name()
                        + ") FROM fidelity")) {
                    while (rs.next()) {
                        int size = rs.getInt(2);
                        Object array = rs.wasNull() ? null : Array.newInstance(element, size);
                        truth.get(rs.getLong(1)).put(column.name(), array);
                    }
                }
                try (ResultSet rs = statement.executeQuery("SELECT f.id, u.ord, u.e FROM fidelity f, unnest(f."
                        + column.name() + ") WITH ORDINALITY u(e, ord)")) {
                    while (rs.next()) {
                        Object array = truth.get(rs.getLong(1)).get(column.name());
                        Array.set(array, rs.getInt(2) - 1, scalar(rs, "e", element, column.elementType()));
                    }
                }
            }
        }
        return truth;
    }

    /** pgjdbc's reading of a column as {@code type}; for types pgjdbc does not read, derived from one it does. */
    static Object scalar(ResultSet rs, String column, Class<?> type, String sqlType) throws SQLException {
        Class<?> boxed = type.isPrimitive() ? box(type) : type;
        if (boxed == Double.class && sqlType.equals("real")) {
            float value = rs.getFloat(column);
            return rs.wasNull() ? null : (double) value; // what the float4 holds, widened exactly
        }
        if (boxed == Double.class && sqlType.startsWith("numeric")) {
            double value = rs.getDouble(column);
            return rs.wasNull() ? null : value;
        }
        if (boxed == Long.class || boxed == Integer.class || boxed == Short.class) {
            long value = rs.getLong(column); // pgjdbc's getObject(Long) reads bigint only: widen, then check the fit
            if (rs.wasNull()) {
                return null;
            }
            Object boxedValue = boxed == Long.class ? (Object) value : boxed == Integer.class ? (Object) (int) value
                    : (Object) (short) value;
            assertThat(((Number) boxedValue).longValue()).isEqualTo(value);
            return boxedValue;
        }
        if (boxed == BigDecimal.class) {
            return rs.getBigDecimal(column);
        }
        if (boxed == String.class) {
            return rs.getString(column);
        }
        if (boxed == byte[].class) {
            return rs.getBytes(column);
        }
        if (boxed == Instant.class) {
            OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
            return value == null ? null : value.equals(OffsetDateTime.MAX) ? Instant.MAX
                    : value.equals(OffsetDateTime.MIN) ? Instant.MIN : value.toInstant();
        }
        if (boxed == ZonedDateTime.class) {
            OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
            return value == null ? null : value.toZonedDateTime();
        }
        if (boxed == OffsetTime.class) {
            OffsetTime value = rs.getObject(column, OffsetTime.class);
            String text = rs.getString(column);
            if (value != null && text.startsWith("24:00:00")) {
                // pgjdbc reads 24:00:00 as OffsetTime.MAX, dropping the offset; Sluice keeps it, with LocalTime.MAX
                return OffsetTime.of(LocalTime.MAX, ZoneOffset.of(text.substring("24:00:00".length())));
            }
            return value;
        }
        return rs.getObject(column, boxed);
    }

    private static Class<?> box(Class<?> primitive) {
        return Array.get(Array.newInstance(primitive, 1), 0).getClass();
    }

    /** Equal values: BigDecimal with its scale, floats bit for bit, arrays element by element. */
    static boolean same(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a instanceof Double x && b instanceof Double y) {
            return Double.doubleToRawLongBits(x) == Double.doubleToRawLongBits(y);
        }
        if (a instanceof Float x && b instanceof Float y) {
            return Float.floatToRawIntBits(x) == Float.floatToRawIntBits(y);
        }
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return Arrays.equals(x, y);
        }
        if (a.getClass().isArray() && b.getClass().isArray()) {
            int length = Array.getLength(a);
            if (length != Array.getLength(b) || a.getClass() != b.getClass()) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                if (!same(Array.get(a, i), Array.get(b, i))) {
                    return false;
                }
            }
            return true;
        }
        return a.getClass() == b.getClass() && a.equals(b); // BigDecimal.equals compares the scale too
    }

    static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof BigDecimal d) {
            return d.toPlainString() + " (scale " + d.scale() + ")";
        }
        if (value instanceof Double d) {
            return d + " (bits " + Long.toHexString(Double.doubleToRawLongBits(d)) + ")";
        }
        if (value instanceof Float f) {
            return f + " (bits " + Integer.toHexString(Float.floatToRawIntBits(f)) + ")";
        }
        if (value instanceof byte[] bytes) {
            return bytes.length + " bytes, hash " + Arrays.hashCode(bytes);
        }
        if (value instanceof String s && s.length() > 60) {
            return "a String of " + s.length() + " chars, hash " + s.hashCode();
        }
        if (value.getClass().isArray()) {
            List<String> elements = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) {
                elements.add(describe(Array.get(value, i)));
            }
            return value.getClass().getComponentType().getSimpleName() + elements;
        }
        return value + " (" + value.getClass().getSimpleName() + ")";
    }

    static String snake(String javaName) {
        return javaName.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
