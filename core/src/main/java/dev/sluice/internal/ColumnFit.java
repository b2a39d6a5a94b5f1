package dev.sluice.internal;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.StringJoiner;

import dev.sluice.spi.TypedNull;
import dev.sluice.spi.UntypedText;
import org.jspecify.annotations.Nullable;

/**
 * Checks that a value is written to its column exactly as it is, before anything is sent, and gives it in the form
 * every write path can store exactly ({@link #fit}) and the form to bind ({@link #bindable}). One rule per pair of
 * Java type and column type the {@link TableCheck} accepts, each tested in {@code ColumnFitTest}:
 * <ul>
 *   <li>integer columns: a whole number within the column's range (a {@code BigDecimal} 2.5 or a {@code Long}
 *       2<sup>40</sup> into {@code int4} is refused, where PostgreSQL would round it or fail naming no column);</li>
 *   <li>{@code numeric(p,s)}: no more than s decimal places unless they are zeros, and an absolute value below
 *       10<sup>p-s</sup>; unconstrained numeric within PostgreSQL's limits. A {@code Double} is written as its
 *       shortest decimal (0.1 as 0.1, where PostgreSQL's float8 cast keeps 15 digits), NaN and infinities as
 *       numeric's own; -0.0 is refused (numeric has no negative zero), infinity also where a precision is set;</li>
 *   <li>{@code float4} from a {@code Double}: only values a float holds exactly;</li>
 *   <li>text types: no U+0000 and no unpaired surrogate (UTF-8 has no form for it: it would be sent as '?');
 *       {@code varchar(n)} and {@code char(n)}: at most n characters; {@code name}: at most 63 bytes;</li>
 *   <li>dates and times: whole microseconds (or the column's fraction digits), within PostgreSQL's range from
 *       4713-01-01 BC (r2dbc-postgresql 1.1 binds anything earlier as -infinity); the MIN and MAX of
 *       {@code LocalDate}, {@code LocalDateTime}, {@code Instant} and {@code OffsetDateTime} as -infinity and
 *       infinity; a {@code timetz} offset within ±15:59:59;</li>
 *   <li>enum, {@code json} and {@code jsonb} columns: the text, bound as {@link UntypedText} so the server reads it
 *       as the column's type (the driver would bind {@code varchar}, which those columns do not accept).</li>
 * </ul>
 * Columns of types Sluice does not know are left to the driver.
 */
final class ColumnFit {

    /**
     * Why a value cannot be written exactly: "2.5 does not fit column size (int4) exactly: ...", and once known, the
     * row (its index in the statement's rows) and the component it is in.
     */
    static final class Misfit extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final int row;
        private final transient @Nullable Property property;

        Misfit(String message) {
            this(message, -1, null);
        }

        private Misfit(String message, int row, @Nullable Property property) {
            super(message, null, false, false);
            this.row = row;
            this.property = property;
        }

        /** This misfit, found in row {@code row} (0 for the first of a statement), component {@code property}. */
        Misfit at(int row, Property property) {
            return new Misfit(getMessage(), row, property);
        }

        int row() {
            return row;
        }

        @Nullable Property property() {
            return property;
        }
    }

    static final LocalDate MIN_DATE = LocalDate.of(-4712, 1, 1);
    static final LocalDate MAX_DATE = LocalDate.of(5874897, 12, 31);
    static final LocalDateTime MIN_TIMESTAMP = MIN_DATE.atStartOfDay();
    static final LocalDateTime MAX_TIMESTAMP = LocalDateTime.of(294276, 12, 31, 23, 59, 59, 999_999_000);
    static final Instant MIN_INSTANT = MIN_TIMESTAMP.toInstant(ZoneOffset.UTC);
    static final Instant MAX_INSTANT = MAX_TIMESTAMP.toInstant(ZoneOffset.UTC);
    /** PostgreSQL's limit on a time zone offset: under 16 hours. */
    private static final int MAX_OFFSET_SECONDS = 16 * 3600 - 1;
    /** numeric's limits: digits before the decimal point, and after it. */
    private static final int NUMERIC_WEIGHT_DIGITS = 131072;
    private static final int NUMERIC_MAX_SCALE = 16383;

    private static final String TO_FLOAT = "; declare the component as Float, or make the column float8";

    private final TableCheck.ColumnInfo column;
    private final @Nullable ColumnFit element;

    private ColumnFit(TableCheck.ColumnInfo column) {
        this.column = column;
        this.element = column.isArray() ? new ColumnFit(column.element()) : null;
    }

    /** The fit for values of {@code column}. */
    static ColumnFit of(TableCheck.ColumnInfo column) {
        return new ColumnFit(column);
    }

    /** Whether the column's values are bound as {@link UntypedText}: an enum, json or jsonb column. */
    boolean untyped() {
        return column.isEnum() || switch (column.type()) {
            case "json", "jsonb", "interval", "ltree", "inet", "cidr", "bit", "varbit" -> true;
            default -> false;
        };
    }

    /**
     * The value checked, in the form written exactly: the same value, or for a {@code Double} into numeric its
     * shortest {@code BigDecimal} (NaN and infinities stay {@code Double}), for a zoned or offset date-time its
     * {@code Instant} ({@code OffsetDateTime.MAX} and {@code MIN} as {@code Instant}'s), for an array of those the
     * array of their forms.
     *
     * @throws Misfit when PostgreSQL would store another value, or refuse it without naming the column
     */
    Object fit(Object value) {
        if (element != null) {
            return value instanceof Object[] array ? fitArray(array, element) : value;
        }
        return fitScalar(value, null);
    }

    /**
     * The value to bind for {@code fitted}, a result of {@link #fit}: the text of an enum, json or jsonb value as
     * {@link UntypedText}, an array of doubles into numeric[] as the text of a numeric array (so NaN and
     * infinities need no float8 cast, which rounds the rest to 15 digits), anything else as it is.
     */
    Object bindable(Object fitted) {
        if (fitted instanceof UntypedText) {
            return fitted;
        }
        if (untyped()) {
            return new UntypedText(untypedText(fitted));
        }
        if (element != null && element.untyped() && fitted instanceof Object[] values) {
            // text[] is not an enum, inet, bit, interval or json array: the array's text, read as the column's type
            return BindValues.arrayText(java.util.Arrays.stream(values).map(v -> v == null ? null
                    : untypedText(v)).toList());
        }
        if (element != null && fitted instanceof Double[] doubles && element.column.type().equals("numeric")) {
            StringJoiner text = new StringJoiner(",", "{", "}");
            for (Double d : doubles) {
                text.add(d == null ? "NULL" : numericText(d));
            }
            return new UntypedText(text.toString());
        }
        return fitted;
    }

    /** The text of a value bound untyped: an interval's, an address's, an enum's name, else its toString. */
    private static String untypedText(Object value) {
        return value instanceof java.time.Duration || value instanceof dev.sluice.Interval ? intervalText(value)
                : value instanceof java.net.InetAddress address ? InetValue.text(address)
                : value instanceof Enum<?> e ? e.name() : value.toString();
    }

    /** A SQL NULL for the column: untyped for a column (or array) bound untyped, else of the component's type. */
    Object nullFor(Class<?> componentType) {
        return new TypedNull(untyped() || element != null && element.untyped() ? UntypedText.class
                : ValueType.wireType(componentType));
    }

    /**
     * Checks every element; the array itself is the fitted form, but for timestamptz, whose elements become
     * {@code Instant}s. (Doubles into numeric[] stay doubles: {@link #bindable} and COPY write them exactly.)
     */
    private Object fitArray(Object[] array, ColumnFit element) {
        boolean instants = element.column.type().equals("timestamptz");
        Object[] fitted = instants && !(array instanceof Instant[]) ? new Instant[array.length] : array;
        for (int i = 0; i < array.length; i++) {
            if (array[i] != null) {
                Object f = element.fitScalar(array[i], i + 1);
                if (fitted != array) {
                    fitted[i] = f;
                }
            }
        }
        return fitted;
    }

    /** {@code position} is the value's element number in an array, null for a value of its own. */
    private Object fitScalar(Object value, @Nullable Integer position) {
        String type = column.type();
        if (column.isEnum()) {
            return text(value, position);
        }
        return switch (type) {
            case "int2" -> whole(value, Short.MIN_VALUE, Short.MAX_VALUE, position);
            case "int4" -> whole(value, Integer.MIN_VALUE, Integer.MAX_VALUE, position);
            case "int8" -> whole(value, Long.MIN_VALUE, Long.MAX_VALUE, position);
            case "numeric" -> numeric(value, position);
            case "float4" -> float4(value, position);
            case "text", "varchar", "bpchar", "name", "citext", "json", "jsonb", "ltree" -> text(value, position);
            case "interval" -> interval(value, position);
            case "inet", "cidr" -> inet(value, position);
            case "bit", "varbit" -> bits(value, position);
            case "timestamptz" -> timestamptz(value, position);
            case "timestamp" -> timestamp(value, position);
            case "date" -> date(value, position);
            case "time" -> time(value, position);
            case "timetz" -> timetz(value, position);
            default -> value;
        };
    }

    /** An InetAddress or address text PostgreSQL stores as it is (see {@link InetValue}). */
    private Object inet(Object value, @Nullable Integer position) {
        if (!(value instanceof String) && !(value instanceof java.net.InetAddress)) {
            return value;
        }
        try {
            InetValue.parse(value, column.type().equals("cidr"));
        } catch (IllegalArgumentException e) {
            throw misfit(value, position, e.getMessage());
        }
        return value;
    }

    /** A String of '0' and '1' of the length the column takes. */
    private Object bits(Object value, @Nullable Integer position) {
        if (!(value instanceof String s)) {
            return value;
        }
        try {
            return InetValue.bits(s, column.type().equals("bit"), column.typmod());
        } catch (IllegalArgumentException e) {
            throw misfit(value, position, e.getMessage());
        }
    }

    /** A Duration or Interval of whole microseconds (interval's resolution), within what interval holds. */
    private Object interval(Object value, @Nullable Integer position) {
        java.time.Duration time = value instanceof java.time.Duration d ? d
                : value instanceof dev.sluice.Interval i ? i.time() : null;
        if (time == null) {
            return value;
        }
        if (time.getNano() % 1000 != 0) {
            throw misfit(value, position, "interval keeps microseconds, so PostgreSQL would round it; truncate it "
                    + "first, e.g. truncatedTo(ChronoUnit.MICROS)");
        }
        try {
            time.toNanos();
        } catch (ArithmeticException e) {
            throw misfit(value, position, "Sluice writes intervals of up to 292 years of time (and any months)");
        }
        if (value instanceof dev.sluice.Interval i) {
            long months = i.period().toTotalMonths();
            if (months != (int) months) {
                throw misfit(value, position, "interval holds at most " + Integer.MAX_VALUE + " months");
            }
        }
        return value;
    }

    /**
     * An interval in a text form PostgreSQL reads exactly whatever its IntervalStyle:
     * {@code 14 months 3 days 5000000 microseconds}.
     */
    static String intervalText(Object value) {
        if (value instanceof dev.sluice.Interval i) {
            return i.period().toTotalMonths() + " months " + i.period().getDays() + " days "
                    + i.time().toNanos() / 1000 + " microseconds";
        }
        return ((java.time.Duration) value).toNanos() / 1000 + " microseconds";
    }

    private Object whole(Object value, long min, long max, @Nullable Integer position) {
        if (value instanceof BigDecimal d) {
            if (d.signum() != 0 && d.stripTrailingZeros().scale() > 0) {
                throw misfit(value, position, "an integer column holds no fraction");
            }
            if (d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max)) > 0) {
                throw misfit(value, position, column.type() + " holds " + min + " to " + max);
            }
            return value;
        }
        if (value instanceof Number n && !(value instanceof Double || value instanceof Float)) {
            long v = n.longValue();
            if (v < min || v > max) {
                throw misfit(value, position, column.type() + " holds " + min + " to " + max);
            }
        }
        return value;
    }

    private Object numeric(Object value, @Nullable Integer position) {
        BigDecimal number;
        if (value instanceof Double d) {
            if (d.isNaN()) {
                return value;
            }
            if (d.isInfinite()) {
                if (column.typmod() >= 0) {
                    throw misfit(value, position, column.declared() + " holds no infinity");
                }
                return value;
            }
            if (d == 0 && 1 / d < 0) {
                throw misfit(value, position, "numeric has no negative zero");
            }
            number = shortest(d);
        } else if (value instanceof BigDecimal d) {
            number = d;
        } else {
            return value;
        }
        if (column.typmod() >= 0) {
            int scale = column.numericScale();
            if (number.scale() > scale && number.compareTo(number.setScale(scale, java.math.RoundingMode.DOWN)) != 0) {
                throw misfit(value, position, column.declared() + " rounds to " + scale + " decimal places");
            }
            BigDecimal limit = BigDecimal.ONE.scaleByPowerOfTen(column.numericPrecision() - scale);
            if (number.abs().compareTo(limit) >= 0) {
                throw misfit(value, position, column.declared() + " holds absolute values below "
                        + limit.toPlainString());
            }
        } else if (number.scale() > NUMERIC_MAX_SCALE
                || number.signum() != 0 && number.precision() - number.scale() > NUMERIC_WEIGHT_DIGITS) {
            throw misfit(value, position, "numeric holds at most " + NUMERIC_WEIGHT_DIGITS + " digits before the "
                    + "decimal point and " + NUMERIC_MAX_SCALE + " after it");
        }
        return number;
    }

    private Object float4(Object value, @Nullable Integer position) {
        if (value instanceof Double d && !d.isNaN() && (double) (float) d.doubleValue() != d) {
            throw misfit(value, position, "float4 would store " + (double) (float) d.doubleValue() + TO_FLOAT);
        }
        return value;
    }

    private Object text(Object value, @Nullable Integer position) {
        if (!(value instanceof String s)) {
            return value;
        }
        int characters = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw misfit(value, position, "PostgreSQL text cannot hold the character U+0000");
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw misfit(value, position, "it holds an unpaired surrogate (U+" + Integer.toHexString(c)
                        .toUpperCase(java.util.Locale.ROOT) + " at index " + i + "), which has no UTF-8 form");
            }
            characters++;
        }
        if (column.type().equals("name") && s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 63) {
            throw misfit(value, position, "name holds at most 63 bytes, which PostgreSQL would cut it to");
        }
        boolean limited = column.type().equals("varchar") || column.type().equals("bpchar");
        if (limited && column.typmod() >= 0 && characters > column.length()) {
            throw misfit(value, position, column.declared() + " holds at most " + column.length() + " characters, "
                    + "and it has " + characters);
        }
        return value;
    }

    private Object timestamptz(Object value, @Nullable Integer position) {
        Instant instant;
        if (value instanceof Instant i) {
            if (i.equals(Instant.MAX) || i.equals(Instant.MIN)) {
                return i;
            }
            instant = i;
        } else if (value instanceof OffsetDateTime odt) {
            if (odt.equals(OffsetDateTime.MAX) || odt.equals(OffsetDateTime.MIN)) {
                return odt.equals(OffsetDateTime.MAX) ? Instant.MAX : Instant.MIN;
            }
            instant = odt.toInstant();
        } else if (value instanceof ZonedDateTime zdt) {
            instant = zdt.toInstant();
        } else {
            return value;
        }
        fraction(instant.getNano(), value, position);
        if (instant.isBefore(MIN_INSTANT) || instant.isAfter(MAX_INSTANT)) {
            throw misfit(value, position, "Sluice writes timestamptz values from 4713-01-01 00:00:00+00 BC to "
                    + "294276-12-31 23:59:59.999999+00, and Instant.MIN and MAX (or OffsetDateTime's) as -infinity "
                    + "and infinity");
        }
        return instant;
    }

    private Object timestamp(Object value, @Nullable Integer position) {
        if (value instanceof LocalDateTime t && !t.equals(LocalDateTime.MAX) && !t.equals(LocalDateTime.MIN)) {
            fraction(t.getNano(), value, position);
            if (t.isBefore(MIN_TIMESTAMP) || t.isAfter(MAX_TIMESTAMP)) {
                throw misfit(value, position, "Sluice writes timestamp values from 4713-01-01 00:00:00 BC to "
                        + "294276-12-31 23:59:59.999999, and LocalDateTime.MIN and MAX as -infinity and infinity");
            }
        }
        return value;
    }

    private Object date(Object value, @Nullable Integer position) {
        if (value instanceof LocalDate d && !d.equals(LocalDate.MAX) && !d.equals(LocalDate.MIN)
                && (d.isBefore(MIN_DATE) || d.isAfter(MAX_DATE))) {
            throw misfit(value, position, "Sluice writes date values from 4713-01-01 BC to 5874897-12-31, and "
                    + "LocalDate.MIN and MAX as -infinity and infinity");
        }
        return value;
    }

    private Object time(Object value, @Nullable Integer position) {
        if (value instanceof LocalTime t && !t.equals(LocalTime.MAX)) {
            fraction(t.getNano(), value, position);
        }
        return value;
    }

    private Object timetz(Object value, @Nullable Integer position) {
        if (value instanceof OffsetTime t) {
            fraction(t.getNano(), value, position);
            if (Math.abs(t.getOffset().getTotalSeconds()) > MAX_OFFSET_SECONDS) {
                throw misfit(value, position, "timetz holds offsets up to 15:59:59 either way");
            }
        }
        return value;
    }

    /** Refuses a fraction of a second finer than the column keeps: microseconds, or fewer digits by its modifier. */
    private void fraction(int nanos, Object value, @Nullable Integer position) {
        int digits = column.typmod() >= 0 ? Math.min(column.typmod(), 6) : 6;
        int unit = 1;
        for (int i = digits; i < 9; i++) {
            unit *= 10;
        }
        if (nanos % unit != 0) {
            throw misfit(value, position, digits == 6
                    ? column.type() + " keeps microseconds, so PostgreSQL would round it; truncate it first, e.g. "
                    + "truncatedTo(ChronoUnit.MICROS)"
                    : column.declared() + " keeps " + digits + " fractional digits of a second, so PostgreSQL would "
                    + "round it");
        }
    }

    private Misfit misfit(Object value, @Nullable Integer position, String reason) {
        return new Misfit(show(value) + (position == null ? "" : " (element " + position + ")") + " does not fit "
                + "column " + column.name() + " (" + (position == null ? column.declared() : column.declared() + "[]")
                + ") exactly: " + reason);
    }

    /** A value for a message: text quoted and cut at 60 characters. */
    static String show(Object value) {
        if (value instanceof String s) {
            return "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
        }
        return String.valueOf(value);
    }

    /** A double as the shortest decimal that reads back as it, without trailing zeros or a negative scale. */
    static BigDecimal shortest(double d) {
        BigDecimal b = BigDecimal.valueOf(d).stripTrailingZeros();
        return b.scale() < 0 ? b.setScale(0) : b;
    }

    /** A double in numeric's text form: NaN, Infinity, -Infinity, or its shortest decimal. */
    static String numericText(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return shortest(d).toPlainString();
    }
}
