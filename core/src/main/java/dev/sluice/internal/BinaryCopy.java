package dev.sluice.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.sluice.QueryException;
import dev.sluice.spi.TypedNull;
import org.jspecify.annotations.Nullable;

/**
 * Encodes entities in PostgreSQL's binary {@code COPY} format: a header, one tuple per row (field count, then each
 * field as length and bytes, -1 for NULL), a trailer. Pure: no driver, unit-tested by bytes. The encoding of each
 * field follows the column's type as the database describes it, so an {@code Integer} component is written as
 * {@code int8} into an {@code int8} column.
 */
final class BinaryCopy<T> {

    /** {@code PGCOPY\n\377\r\n\0}, flags 0, header extension length 0. */
    static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    /** A field count of -1 ends the data. */
    static final byte[] TRAILER = {(byte) 0xff, (byte) 0xff};

    private static final Instant PG_EPOCH = Instant.parse("2000-01-01T00:00:00Z");
    private static final LocalDateTime PG_LOCAL_EPOCH = LocalDateTime.of(2000, 1, 1, 0, 0);

    private final String sql;
    private final List<Property> columns;
    private final List<Function<Object, byte[]>> encoders;

    private BinaryCopy(String sql, List<Property> columns, List<Function<Object, byte[]>> encoders) {
        this.sql = sql;
        this.columns = List.copyOf(columns);
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
        List<Function<Object, byte[]>> encoders = new ArrayList<>(columns.size());
        for (Property p : columns) {
            TableCheck.ColumnInfo column = types.get(p.column());
            @Nullable Function<Object, byte[]> encoder = column == null ? null : encoder(column);
            if (encoder == null) {
                throw new QueryException("copyIn(" + model.name() + ".class): column " + p.column() + " is "
                        + (column == null ? "missing" : column.type() + (column.elementType().isEmpty() ? "" : "[]"))
                        + ", which Sluice's binary COPY does not write; use insertAll for " + model.name());
            }
            encoders.add(encoder);
        }
        String sql = "COPY " + dialect.identifier(model.table()) + " (" + columns.stream()
                .map(p -> dialect.identifier(p.column())).collect(Collectors.joining(", "))
                + ") FROM STDIN (FORMAT binary)";
        return new BinaryCopy<>(sql, columns, encoders);
    }

    String sql() {
        return sql;
    }

    /** The tuples of {@code rows}, without header or trailer. */
    byte[] encode(List<T> rows) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(rows.size() * 64);
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            for (T row : rows) {
                out.writeShort(columns.size());
                for (int i = 0; i < columns.size(); i++) {
                    Property p = columns.get(i);
                    Object value = WriteSql.bindable(p, p.read(row));
                    if (value instanceof TypedNull) {
                        out.writeInt(-1);
                    } else {
                        byte[] field = encoders.get(i).apply(value);
                        out.writeInt(field.length);
                        out.write(field);
                    }
                }
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen: memory only
        }
        return bytes.toByteArray();
    }

    private static @Nullable Function<Object, byte[]> encoder(TableCheck.ColumnInfo column) {
        if (!column.elementType().isEmpty()) {
            return null;
        }
        if (column.isEnum()) {
            return BinaryCopy::utf8;
        }
        return switch (column.type()) {
            case "bool" -> v -> new byte[] {(byte) (((Boolean) v) ? 1 : 0)};
            case "int2" -> v -> ByteBuffer.allocate(2).putShort((short) exact((Number) v, Short.MIN_VALUE,
                    Short.MAX_VALUE, column)).array();
            case "int4" -> v -> ByteBuffer.allocate(4).putInt((int) exact((Number) v, Integer.MIN_VALUE,
                    Integer.MAX_VALUE, column)).array();
            case "int8" -> v -> ByteBuffer.allocate(8).putLong(((Number) v).longValue()).array();
            case "float4" -> v -> ByteBuffer.allocate(4).putFloat(((Number) v).floatValue()).array();
            case "float8" -> v -> ByteBuffer.allocate(8).putDouble(((Number) v).doubleValue()).array();
            case "text", "varchar", "bpchar", "name", "json" -> BinaryCopy::utf8;
            case "jsonb" -> v -> {
                byte[] json = utf8(v);
                byte[] field = new byte[json.length + 1];
                field[0] = 1; // jsonb binary format version
                System.arraycopy(json, 0, field, 1, json.length);
                return field;
            };
            case "bytea" -> v -> (byte[]) v;
            case "uuid" -> v -> ByteBuffer.allocate(16).putLong(((UUID) v).getMostSignificantBits())
                    .putLong(((UUID) v).getLeastSignificantBits()).array();
            case "timestamptz" -> v -> ByteBuffer.allocate(8).putLong(ChronoUnit.MICROS.between(PG_EPOCH, instant(v)))
                    .array();
            case "timestamp" -> v -> ByteBuffer.allocate(8)
                    .putLong(ChronoUnit.MICROS.between(PG_LOCAL_EPOCH, (LocalDateTime) v)).array();
            case "date" -> v -> ByteBuffer.allocate(4)
                    .putInt((int) ChronoUnit.DAYS.between(PG_LOCAL_EPOCH.toLocalDate(), (LocalDate) v)).array();
            case "time" -> v -> ByteBuffer.allocate(8).putLong(((LocalTime) v).toNanoOfDay() / 1000).array();
            default -> null;
        };
    }

    private static long exact(Number value, long min, long max, TableCheck.ColumnInfo column) {
        long v = value.longValue();
        if (v < min || v > max) {
            throw new QueryException("copyIn: the value " + v + " does not fit column " + column.name() + " ("
                    + column.type() + ")");
        }
        return v;
    }

    private static byte[] utf8(Object value) {
        return ((String) value).getBytes(StandardCharsets.UTF_8);
    }

    private static Instant instant(Object value) {
        if (value instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (value instanceof ZonedDateTime zdt) {
            return zdt.toInstant();
        }
        return (Instant) value;
    }
}
