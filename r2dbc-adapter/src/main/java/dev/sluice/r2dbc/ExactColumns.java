package dev.sluice.r2dbc;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;

import dev.sluice.Interval;
import dev.sluice.MappingException;
import dev.sluice.spi.UnrepresentableValueException;
import io.r2dbc.postgresql.api.PostgresqlRowMetadata;
import io.r2dbc.spi.ColumnMetadata;
import io.r2dbc.spi.RowMetadata;
import io.r2dbc.spi.Wrapped;
import org.jspecify.annotations.Nullable;

/**
 * The columns of a result that Sluice decodes itself, from the bytes on the wire ({@link WireValues}), because
 * r2dbc-postgresql 1.1.1's codecs change their values (see {@link Kind}); every other column keeps the driver's
 * codec. Found once per result, from its metadata; then a value is read into the Java type asked for, or fails
 * ({@link UnrepresentableValueException}) when that type cannot hold it.
 */
final class ExactColumns {

    /**
     * The PostgreSQL types decoded by Sluice, with their type OIDs and array type OIDs, the Java types Sluice reads
     * them as, and those the driver's codec reads exactly (which keep it: it is faster).
     */
    enum Kind {
        /** Binary loses the scale ({@code 0.00} reads as {@code 0}) and reads NaN and the infinities as 0. */
        NUMERIC("numeric", 1700, 1231, List.of(), BigDecimal.class, Double.class, Float.class, Long.class,
                Integer.class, Short.class, String.class),
        /** Binary shifts dates before 1582-10-15 by days and reads infinity as a far date. */
        DATE("date", 1082, 1182, List.of(), LocalDate.class),
        /** As date; and a negative micro-second count (before 1970) fails to decode. */
        TIMESTAMP("timestamp", 1114, 1115, List.of(), LocalDateTime.class),
        /** As timestamp; and binary gives the JVM's offset, where text gives the session's. */
        TIMESTAMPTZ("timestamptz", 1184, 1185, List.of(), Instant.class, OffsetDateTime.class, ZonedDateTime.class),
        /** Binary fails on 24:00:00. */
        TIME("time", 1083, 1183, List.of(), LocalTime.class),
        /** Binary fails on 24:00:00; text reads it as OffsetTime.MAX, dropping the offset. */
        TIMETZ("timetz", 1266, 1270, List.of(), OffsetTime.class),
        /** Binary keeps jsonb's version byte in front of the text. */
        JSONB("jsonb", 3802, 3807, List.of(), String.class),
        /** The driver counts a month as 30 days into a Duration; Sluice reads months only into an Interval. */
        INTERVAL("interval", 1186, 1187, List.of(), Duration.class, Interval.class),
        /** The driver drops the prefix length; Sluice reads PostgreSQL's text, or a host as an InetAddress. */
        INET("inet", 869, 1041, List.of(), java.net.InetAddress.class, String.class),
        /** The driver has no codec for cidr, bit and varbit; Sluice reads PostgreSQL's text. */
        CIDR("cidr", 650, 651, List.of(), String.class),
        BIT("bit", 1560, 1561, List.of(), String.class),
        VARBIT("varbit", 1562, 1563, List.of(), String.class),
        /** The driver reads integers as BigDecimal through a double, and narrows them silently. */
        INT8("bigint", 20, 1016, List.of(Long.class), Long.class, Integer.class, Short.class, BigDecimal.class,
                Double.class, Float.class, String.class),
        INT4("integer", 23, 1007, List.of(Integer.class, Long.class), Integer.class, Long.class, Short.class,
                BigDecimal.class, Double.class, Float.class, String.class),
        INT2("smallint", 21, 1005, List.of(Short.class, Integer.class, Long.class), Short.class, Integer.class,
                Long.class, BigDecimal.class, Double.class, Float.class, String.class);

        private final String sqlName;
        private final int oid;
        private final int arrayOid;
        private final List<Class<?>> driverTypes;
        private final List<Class<?>> javaTypes;

        Kind(String sqlName, int oid, int arrayOid, List<Class<?>> driverTypes, Class<?>... javaTypes) {
            this.sqlName = sqlName;
            this.oid = oid;
            this.arrayOid = arrayOid;
            this.driverTypes = driverTypes;
            this.javaTypes = List.of(javaTypes);
        }
    }

    /** A column Sluice decodes: its name (for messages), its type, and whether it is an array of that type. */
    record Exact(String name, Kind kind, boolean array) {
        String sqlType() {
            return kind.sqlName + (array ? "[]" : "");
        }

        /** Whether the driver's codec reads this column as {@code type} exactly: it does, faster. */
        boolean byDriver(Class<?> type) {
            List<Class<?>> exact = kind.driverTypes;
            if (exact.isEmpty()) {
                return false;
            }
            Class<?> wanted = array ? type.getComponentType() : type;
            for (int i = 0; i < exact.size(); i++) {
                if (exact.get(i) == wanted) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A result without columns to decode exactly. */
    static final Exact[] NONE = new Exact[0];

    static final String NAN_FIX = "declare the component as Double, which holds NaN and the infinities, or keep such "
            + "values out of the column";
    static final String INFINITY_FIX = "declare the component as OffsetDateTime or Instant, which read infinity as "
            + "their MAX and -infinity as their MIN";
    static final String INEXACT_FIX = "declare the component as BigDecimal";

    private ExactColumns() {
    }

    /**
     * For each column of a result, how Sluice decodes it, or null where the driver's codec is right;
     * {@link #NONE} when no column needs Sluice (or the result is not r2dbc-postgresql's, even under wrappers).
     */
    static @Nullable Exact[] of(RowMetadata metadata) {
        Object target = metadata;
        while (!(target instanceof PostgresqlRowMetadata) && target instanceof Wrapped<?> wrapped
                && wrapped.unwrap() != target) {
            target = wrapped.unwrap();
        }
        if (!(target instanceof PostgresqlRowMetadata)) {
            return NONE;
        }
        List<? extends ColumnMetadata> columns = metadata.getColumnMetadatas();
        @Nullable Exact[] exact = null;
        for (int i = 0; i < columns.size(); i++) {
            ColumnMetadata column = columns.get(i);
            if (!(column.getNativeTypeMetadata() instanceof Integer oid)) {
                continue;
            }
            for (Kind kind : Kind.values()) {
                if (kind.oid == oid || kind.arrayOid == oid) {
                    if (exact == null) {
                        exact = new Exact[columns.size()];
                    }
                    exact[i] = new Exact(column.getName(), kind, kind.arrayOid == oid);
                    break;
                }
            }
        }
        return exact == null ? NONE : exact;
    }

    /**
     * Reads a value of {@code column} into {@code type}.
     *
     * @throws UnrepresentableValueException if {@code type} cannot hold the value
     * @throws MappingException              if Sluice does not read the column's type as {@code type}
     */
    static Object read(Exact column, SluiceCodecs.RawValue raw, Class<?> type) {
        if (raw.isFixed()) {
            return convert(column, fixed(column.kind(), raw.fixed()), type);
        }
        WireValues.Decoder decoder = decoder(column.kind());
        byte[] bytes = raw.bytes();
        if (!column.array()) {
            return convert(column, decoder.decode(bytes, 0, bytes.length, raw.binary()), type);
        }
        if (!type.isArray()) {
            throw unsupported(column, type);
        }
        Class<?> elementType = type.getComponentType();
        List<@Nullable Object> elements = WireValues.array(bytes, raw.binary(), decoder);
        Object array = Array.newInstance(elementType, elements.size());
        for (int i = 0; i < elements.size(); i++) {
            Object element = elements.get(i);
            if (element != null) {
                try {
                    Array.set(array, i, convert(column, element, elementType));
                } catch (UnrepresentableValueException e) {
                    throw new UnrepresentableValueException(e.value() + " (element " + (i + 1) + ")", elementType,
                            e.fix());
                }
            }
        }
        return array;
    }

    /** A value that {@link SluiceCodecs.RawValue#fixed} carries as a number. */
    private static Object fixed(Kind kind, long value) {
        return switch (kind) {
            case DATE -> WireValues.date((int) value);
            case TIMESTAMP -> WireValues.timestamp(value);
            case TIMESTAMPTZ -> WireValues.timestamptz(value);
            case TIME -> WireValues.time(value);
            default -> throw new IllegalStateException(kind + " is not read as a number");
        };
    }

    private static WireValues.Decoder decoder(Kind kind) {
        return switch (kind) {
            case NUMERIC -> WireValues::numeric;
            case DATE -> WireValues::date;
            case TIMESTAMP -> WireValues::timestamp;
            case TIMESTAMPTZ -> WireValues::timestamptz;
            case TIME -> WireValues::time;
            case TIMETZ -> WireValues::timetz;
            case JSONB -> WireValues::jsonb;
            case INTERVAL -> WireValues::interval;
            case INET, CIDR -> WireValues::inet;
            case BIT, VARBIT -> WireValues::bits;
            case INT8, INT4, INT2 -> WireValues::integer;
        };
    }

    private static Object convert(Exact column, Object value, Class<?> type) {
        if (column.kind() == Kind.NUMERIC) {
            return numeric(column, value, type);
        }
        if (column.kind() == Kind.INT8 || column.kind() == Kind.INT4 || column.kind() == Kind.INT2) {
            return integer(column, (Long) value, type);
        }
        if (column.kind() == Kind.TIMESTAMPTZ) {
            Instant instant = (Instant) value;
            if (type == Instant.class) {
                return instant;
            }
            if (type == OffsetDateTime.class) {
                return instant.equals(Instant.MAX) ? OffsetDateTime.MAX : instant.equals(Instant.MIN)
                        ? OffsetDateTime.MIN : instant.atOffset(ZoneOffset.UTC);
            }
            if (type == ZonedDateTime.class) {
                if (instant.equals(Instant.MAX) || instant.equals(Instant.MIN)) {
                    throw new UnrepresentableValueException(instant.equals(Instant.MAX) ? "infinity" : "-infinity",
                            ZonedDateTime.class, INFINITY_FIX);
                }
                return instant.atZone(ZoneOffset.UTC);
            }
            throw unsupported(column, type);
        }
        if (column.kind() == Kind.INTERVAL) {
            Interval interval = (Interval) value;
            if (type == Interval.class) {
                return interval;
            }
            if (type == Duration.class) {
                if (interval.period().toTotalMonths() != 0) {
                    throw new UnrepresentableValueException(WireValues.describe(interval), Duration.class,
                            "declare the component as dev.sluice.Interval, which holds months");
                }
                return interval.time().plusDays(interval.period().getDays());
            }
            throw unsupported(column, type);
        }
        if (column.kind() == Kind.INET && type == java.net.InetAddress.class) {
            return WireValues.host((String) value);
        }
        if (type.isInstance(value) && column.kind().javaTypes.contains(type)) {
            return value; // date, timestamp, time, timetz, jsonb: one Java type each, the one decoded
        }
        throw unsupported(column, type);
    }

    private static Object numeric(Exact column, Object value, Class<?> type) {
        if (value instanceof WireValues.Special special) {
            if (type == Double.class) {
                return special == WireValues.Special.NAN ? Double.NaN : special == WireValues.Special.INFINITY
                        ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            }
            if (type == Float.class) {
                return special == WireValues.Special.NAN ? Float.NaN : special == WireValues.Special.INFINITY
                        ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
            }
            if (type == String.class) {
                return special.text();
            }
            if (Kind.NUMERIC.javaTypes.contains(type)) {
                throw new UnrepresentableValueException(special.text(), type, NAN_FIX);
            }
            throw unsupported(column, type);
        }
        BigDecimal number = (BigDecimal) value;
        try {
            if (type == BigDecimal.class) {
                return number;
            }
            if (type == Double.class) {
                return number.doubleValue();
            }
            if (type == Float.class) {
                return number.floatValue();
            }
            if (type == Long.class) {
                return number.longValueExact();
            }
            if (type == Integer.class) {
                return number.intValueExact();
            }
            if (type == Short.class) {
                return number.shortValueExact();
            }
            if (type == String.class) {
                return number.toPlainString();
            }
        } catch (ArithmeticException e) {
            throw new UnrepresentableValueException(number.toPlainString(), type, INEXACT_FIX);
        }
        throw unsupported(column, type);
    }

    private static Object integer(Exact column, long value, Class<?> type) {
        if (type == Long.class) {
            return value;
        }
        if (type == BigDecimal.class) {
            return BigDecimal.valueOf(value);
        }
        if (type == String.class) {
            return Long.toString(value);
        }
        String fix = "declare the component as " + column.kind().driverTypes.get(0).getSimpleName();
        if (type == Integer.class || type == Short.class) {
            long limit = type == Integer.class ? Integer.MAX_VALUE : Short.MAX_VALUE;
            if (value > limit || value < -limit - 1) {
                throw new UnrepresentableValueException(Long.toString(value), type, fix);
            }
            return type == Integer.class ? (Object) (int) value : (Object) (short) value;
        }
        if (type == Double.class || type == Float.class) {
            long exactUpTo = type == Double.class ? 1L << 53 : 1L << 24;
            if (Math.abs(value) > exactUpTo) {
                throw new UnrepresentableValueException(Long.toString(value), type, fix);
            }
            return type == Double.class ? (Object) (double) value : (Object) (float) value;
        }
        throw unsupported(column, type);
    }

    private static MappingException unsupported(Exact column, Class<?> type) {
        String suffix = column.array() ? "[]" : "";
        List<String> names = column.kind().javaTypes.stream().map(c -> c.getSimpleName() + suffix).toList();
        String readAs = names.size() == 1 ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        return new MappingException("Column " + column.name() + " is " + column.sqlType() + ", which Sluice reads as "
                + readAs + ", not " + type.getSimpleName() + "; declare the component as " + names.get(0)
                + (type == String.class ? ", or cast the column to text in the SQL" : ""));
    }
}
