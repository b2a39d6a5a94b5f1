package dev.sluice.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import dev.sluice.QueryException;
import org.jspecify.annotations.Nullable;

/**
 * Encodes entities in PostgreSQL's binary {@code COPY} format: a header, one tuple per row (field count, then each
 * field as length and bytes, -1 for NULL), a trailer. Pure: no driver, unit-tested by bytes. The encoding of each
 * field follows the column's type as the database describes it, so an {@code Integer} component is written as
 * {@code int8} into an {@code int8} column; every value is first checked to fit its column exactly
 * ({@link ColumnFit}), as on the other write paths. Infinity is written as PostgreSQL's own ({@code LocalDate.MAX}
 * as the date {@code infinity}, ...), numeric in its base-10000 form, arrays as one-dimensional arrays with the
 * column's element type.
 */
final class BinaryCopy<T> {

    /** {@code PGCOPY\n\377\r\n\0}, flags 0, header extension length 0. */
    static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    /** A field count of -1 ends the data. */
    static final byte[] TRAILER = {(byte) 0xff, (byte) 0xff};

    private static final Instant PG_EPOCH = Instant.parse("2000-01-01T00:00:00Z");
    private static final LocalDate PG_DATE_EPOCH = LocalDate.of(2000, 1, 1);
    /** 24:00:00, which PostgreSQL's time holds and {@code LocalTime.MAX} stands for. */
    private static final long MICROS_PER_DAY = 86_400_000_000L;
    /** numeric's sign words. */
    private static final int NUMERIC_NEG = 0x4000;
    private static final int NUMERIC_NAN = 0xC000;
    private static final int NUMERIC_PINF = 0xD000;
    private static final int NUMERIC_NINF = 0xF000;

    private final String sql;
    private final List<Property> columns;
    private final List<ColumnFit> fits;
    private final List<Function<Object, byte[]>> encoders;

    private BinaryCopy(String sql, List<Property> columns, List<ColumnFit> fits,
                       List<Function<Object, byte[]>> encoders) {
        this.sql = sql;
        this.columns = List.copyOf(columns);
        this.fits = List.copyOf(fits);
        this.encoders = List.copyOf(encoders);
    }

    /**
     * Prepares the copy of {@code columns} of an entity.
     *
     * @param types the table's columns as the database describes them, by name
     * @throws QueryException naming the column and the fix when a column's type has no binary encoding here
     */
    static <T> BinaryCopy<T> of(PostgresDialect dialect, EntityModel<T> model, List<Property> columns,
                                Map<String, TableCheck.ColumnInfo> types) {
        List<ColumnFit> fits = new ArrayList<>(columns.size());
        List<Function<Object, byte[]>> encoders = new ArrayList<>(columns.size());
        for (Property p : columns) {
            TableCheck.ColumnInfo column = types.get(p.column());
            @Nullable Function<Object, byte[]> encoder = column == null ? null : encoder(column);
            if (column == null || encoder == null) {
                throw new QueryException("copyIn(" + model.name() + ".class): column " + p.column() + " is "
                        + (column == null ? "missing" : column.type() + (column.elementType().isEmpty() ? "" : "[]"))
                        + ", which Sluice's binary COPY does not write; use insertAll for " + model.name());
            }
            fits.add(ColumnFit.of(column));
            encoders.add(encoder);
        }
        return new BinaryCopy<>(new WriteSql<>(dialect, model).copyIn(columns), columns, fits, encoders);
    }

    String sql() {
        return sql;
    }

    /**
     * The tuples of {@code rows}, without header or trailer.
     *
     * @throws ColumnFit.Misfit for a value that does not fit its column exactly, with its row's index in
     *                          {@code rows} and its component
     */
    byte[] encode(List<T> rows) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(rows.size() * 64);
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            for (int r = 0; r < rows.size(); r++) {
                T row = rows.get(r);
                out.writeShort(columns.size());
                for (int i = 0; i < columns.size(); i++) {
                    Property p = columns.get(i);
                    Object value;
                    try {
                        value = p.read(row);
                    } catch (ColumnFit.Misfit m) {
                        throw m.at(r, p);
                    }
                    if (value == null) {
                        out.writeInt(-1);
                        continue;
                    }
                    byte[] field;
                    try {
                        field = encoders.get(i).apply(fits.get(i).fit(value instanceof Enum<?> e ? e.name() : value));
                    } catch (ColumnFit.Misfit m) {
                        throw m.at(r, p);
                    }
                    out.writeInt(field.length);
                    out.write(field);
                }
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen: memory only
        }
        return bytes.toByteArray();
    }

    /** The encoder of a column's values as {@link ColumnFit#fit} gives them; null when there is none. */
    static @Nullable Function<Object, byte[]> encoder(TableCheck.ColumnInfo column) {
        if (column.isArray()) {
            Function<Object, byte[]> element = column.elementOid() == 0 ? null
                    : column.elementIsEnum() ? BinaryCopy::utf8 : scalar(column.element());
            return element == null ? null : v -> array((Object[]) v, (int) column.elementOid(), element);
        }
        if (column.isEnum()) {
            return BinaryCopy::utf8;
        }
        return scalar(column);
    }

    private static @Nullable Function<Object, byte[]> scalar(TableCheck.ColumnInfo column) {
        return switch (column.type()) {
            case "bool" -> v -> new byte[] {(byte) (((Boolean) v) ? 1 : 0)};
            case "int2" -> v -> ByteBuffer.allocate(2).putShort(((Number) v).shortValue()).array();
            case "int4" -> v -> ByteBuffer.allocate(4).putInt(((Number) v).intValue()).array();
            case "int8" -> v -> ByteBuffer.allocate(8).putLong(((Number) v).longValue()).array();
            case "float4" -> v -> ByteBuffer.allocate(4).putFloat(((Number) v).floatValue()).array();
            case "float8" -> v -> ByteBuffer.allocate(8).putDouble(((Number) v).doubleValue()).array();
            case "numeric" -> BinaryCopy::numeric;
            case "text", "varchar", "bpchar", "name", "citext", "json" -> BinaryCopy::utf8;
            case "jsonb", "ltree" -> BinaryCopy::versionedUtf8;
            case "bytea" -> v -> (byte[]) v;
            case "interval" -> v -> {
                java.time.Duration time = v instanceof dev.sluice.Interval i ? i.time() : (java.time.Duration) v;
                int months = v instanceof dev.sluice.Interval i ? (int) i.period().toTotalMonths() : 0;
                int days = v instanceof dev.sluice.Interval i ? i.period().getDays() : 0;
                return ByteBuffer.allocate(16).putLong(time.toNanos() / 1000).putInt(days).putInt(months).array();
            };
            case "inet" -> v -> InetValue.binary(v, false);
            case "cidr" -> v -> InetValue.binary(v, true);
            case "bit", "varbit" -> v -> InetValue.bitsBinary((String) v);
            case "uuid" -> v -> ByteBuffer.allocate(16).putLong(((UUID) v).getMostSignificantBits())
                    .putLong(((UUID) v).getLeastSignificantBits()).array();
            case "timestamptz" -> v -> ByteBuffer.allocate(8).putLong(micros((Instant) v)).array();
            case "timestamp" -> v -> ByteBuffer.allocate(8).putLong(micros((LocalDateTime) v)).array();
            case "date" -> v -> ByteBuffer.allocate(4).putInt(days((LocalDate) v)).array();
            case "time" -> v -> ByteBuffer.allocate(8).putLong(v.equals(LocalTime.MAX) ? MICROS_PER_DAY
                    : ((LocalTime) v).toNanoOfDay() / 1000).array();
            case "timetz" -> v -> ByteBuffer.allocate(12).putLong(((OffsetTime) v).toLocalTime().toNanoOfDay() / 1000)
                    .putInt(-((OffsetTime) v).getOffset().getTotalSeconds()).array();
            default -> null;
        };
    }

    /**
     * Microseconds since 2000-01-01 UTC; the largest and smallest long for infinity and -infinity. Not
     * {@code ChronoUnit.MICROS.between}: it counts in nanoseconds, which overflow beyond 292 years.
     */
    static long micros(Instant instant) {
        if (instant.equals(Instant.MAX) || instant.equals(Instant.MIN)) {
            return instant.equals(Instant.MAX) ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond() - PG_EPOCH.getEpochSecond(), 1_000_000L),
                instant.getNano() / 1000);
    }

    /** Microseconds since 2000-01-01 00:00; the largest and smallest long for infinity and -infinity. */
    static long micros(LocalDateTime time) {
        if (time.equals(LocalDateTime.MAX) || time.equals(LocalDateTime.MIN)) {
            return time.equals(LocalDateTime.MAX) ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return micros(time.toInstant(ZoneOffset.UTC));
    }

    /** Days since 2000-01-01, proleptic Gregorian as in PostgreSQL; the largest and smallest int for infinity. */
    static int days(LocalDate date) {
        if (date.equals(LocalDate.MAX) || date.equals(LocalDate.MIN)) {
            return date.equals(LocalDate.MAX) ? Integer.MAX_VALUE : Integer.MIN_VALUE;
        }
        return Math.toIntExact(date.toEpochDay() - PG_DATE_EPOCH.toEpochDay());
    }

    /**
     * numeric's binary form: digit count, weight (of the first base-10000 digit), sign, display scale, then the
     * base-10000 digits, without leading or trailing zero digits. A {@code Double} (NaN, an infinity, or a finite
     * value as its shortest decimal) or a {@code BigDecimal}, whose scale is the display scale (0 when negative).
     */
    static byte[] numeric(Object value) {
        if (value instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                int sign = d.isNaN() ? NUMERIC_NAN : d > 0 ? NUMERIC_PINF : NUMERIC_NINF;
                return ByteBuffer.allocate(8).putShort((short) 0).putShort((short) 0).putShort((short) sign)
                        .putShort((short) 0).array();
            }
            value = ColumnFit.shortest(d);
        }
        BigDecimal number = (BigDecimal) value;
        if (number.scale() < 0) {
            number = number.setScale(0);
        }
        int scale = number.scale();
        String digits = number.unscaledValue().abs().toString();
        String whole = digits.length() > scale ? digits.substring(0, digits.length() - scale) : "";
        String fraction = digits.length() > scale ? digits.substring(digits.length() - scale)
                : "0".repeat(scale - digits.length()) + digits;
        int wholeGroups = (whole.length() + 3) / 4;
        int fractionGroups = (fraction.length() + 3) / 4;
        String aligned = "0".repeat(wholeGroups * 4 - whole.length()) + whole + fraction
                + "0".repeat(fractionGroups * 4 - fraction.length());
        short[] groups = new short[wholeGroups + fractionGroups];
        for (int i = 0; i < groups.length; i++) {
            groups[i] = Short.parseShort(aligned.substring(i * 4, i * 4 + 4));
        }
        int first = 0;
        while (first < groups.length && groups[first] == 0) {
            first++;
        }
        int last = groups.length;
        while (last > first && groups[last - 1] == 0) {
            last--;
        }
        int weight = first == last ? 0 : wholeGroups - 1 - first;
        ByteBuffer out = ByteBuffer.allocate(8 + 2 * (last - first)).putShort((short) (last - first))
                .putShort((short) weight).putShort((short) (number.signum() < 0 ? NUMERIC_NEG : 0))
                .putShort((short) scale);
        for (int i = first; i < last; i++) {
            out.putShort(groups[i]);
        }
        return out.array();
    }

    /** A one-dimensional array: dimensions, has-nulls flag, element OID, size and lower bound 1, then elements. */
    static byte[] array(Object[] values, int elementOid, Function<Object, byte[]> element) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(20 + values.length * 12);
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            boolean nulls = false;
            for (Object v : values) {
                nulls |= v == null;
            }
            out.writeInt(values.length == 0 ? 0 : 1);
            out.writeInt(nulls ? 1 : 0);
            out.writeInt(elementOid);
            if (values.length > 0) {
                out.writeInt(values.length);
                out.writeInt(1);
            }
            for (Object v : values) {
                if (v == null) {
                    out.writeInt(-1);
                } else {
                    byte[] field = element.apply(v);
                    out.writeInt(field.length);
                    out.write(field);
                }
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen: memory only
        }
        return bytes.toByteArray();
    }

    /** The binary form of jsonb and ltree: format version 1, then the value's UTF-8 text. */
    static byte[] versionedUtf8(Object value) {
        byte[] text = utf8(value);
        byte[] field = new byte[text.length + 1];
        field[0] = 1;
        System.arraycopy(text, 0, field, 1, text.length);
        return field;
    }

    static byte[] utf8(Object value) {
        return (value instanceof Enum<?> e ? e.name() : (String) value).getBytes(StandardCharsets.UTF_8);
    }
}
