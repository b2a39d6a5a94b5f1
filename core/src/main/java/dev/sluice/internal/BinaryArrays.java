package dev.sluice.internal;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * The values of one column of a batch of rows as one PostgreSQL array in binary (dimensions, has-nulls flag, element
 * OID, size, lower bound 1, then each element as length and bytes, -1 for NULL), for an insert through
 * {@code unnest($1::int8[], ...)}: one parameter per column instead of one per value. Pure: no driver, unit-tested by
 * bytes. Each value is first checked to fit its column exactly ({@link ColumnFit}) and then encoded as
 * {@link BinaryCopy} encodes it, so a value travels the same way as by {@code copyIn}.
 */
final class BinaryArrays {

    /** The OIDs of the built-in element types {@link BinaryCopy} encodes, by {@code pg_type.typname}. */
    private static final Map<String, Integer> BUILT_IN = Map.ofEntries(
            Map.entry("bool", 16), Map.entry("int2", 21), Map.entry("int4", 23), Map.entry("int8", 20),
            Map.entry("float4", 700), Map.entry("float8", 701), Map.entry("numeric", 1700), Map.entry("text", 25),
            Map.entry("varchar", 1043), Map.entry("bpchar", 1042), Map.entry("name", 19), Map.entry("json", 114),
            Map.entry("jsonb", 3802), Map.entry("bytea", 17), Map.entry("interval", 1186), Map.entry("inet", 869),
            Map.entry("cidr", 650), Map.entry("bit", 1560), Map.entry("varbit", 1562), Map.entry("uuid", 2950),
            Map.entry("timestamptz", 1184), Map.entry("timestamp", 1114), Map.entry("date", 1082),
            Map.entry("time", 1083), Map.entry("timetz", 1266));
    private static final int TEXT = 25;

    private BinaryArrays() {
    }

    /**
     * How one column travels as an array.
     *
     * @param arrayType the array type the parameter is cast to, e.g. {@code int8[]}: a built-in type's name without
     *                  a modifier (the column applies its own, as it does to any value assigned to it)
     * @param text      whether the values go as {@code text[]} and are cast to the column's type one by one, for
     *                  the types whose OID differs from database to database (enums, citext, ltree)
     */
    record Column(String arrayType, boolean text, int elementOid, ColumnFit fit, Function<Object, byte[]> encoder) {
    }

    /**
     * How {@code column}'s values travel as an array; null when they cannot: an array column (an array of arrays
     * would be one two-dimensional array, which {@code unnest} flattens), or a type {@link BinaryCopy} does not
     * encode.
     */
    static @Nullable Column of(TableCheck.ColumnInfo column) {
        if (column.isArray()) {
            return null;
        }
        ColumnFit fit = ColumnFit.of(column);
        if (column.isEnum() || column.type().equals("citext") || column.type().equals("ltree")) {
            return new Column("text[]", true, TEXT, fit, BinaryCopy::utf8);
        }
        Integer oid = BUILT_IN.get(column.type());
        @Nullable Function<Object, byte[]> encoder = oid == null ? null : BinaryCopy.encoder(column);
        if (encoder == null) {
            return null;
        }
        return new Column((column.type().equals("bit") ? "\"bit\"" : column.type()) + "[]", false, oid, fit, encoder);
    }

    /**
     * The array of {@code p}'s values in {@code rows}.
     *
     * @throws ColumnFit.Misfit for a value that does not fit its column exactly, with its row's index in
     *                          {@code rows} and its component
     */
    static byte[] encode(List<?> rows, Property p, Column column) {
        int n = rows.size();
        byte[][] fields = new byte[n][];
        boolean nulls = false;
        int size = 20;
        for (int r = 0; r < n; r++) {
            Object value;
            try {
                value = p.read(rows.get(r));
                if (value != null) {
                    fields[r] = column.encoder().apply(column.fit().fit(value instanceof Enum<?> e ? e.name() : value));
                }
            } catch (ColumnFit.Misfit m) {
                throw m.at(r, p);
            }
            if (fields[r] == null) {
                nulls = true;
                size += 4;
            } else {
                size += 4 + fields[r].length;
            }
        }
        byte[] out = new byte[size];
        int at = putInt(out, 0, 1);
        at = putInt(out, at, nulls ? 1 : 0);
        at = putInt(out, at, column.elementOid());
        at = putInt(out, at, n);
        at = putInt(out, at, 1);
        for (byte[] field : fields) {
            if (field == null) {
                at = putInt(out, at, -1);
            } else {
                at = putInt(out, at, field.length);
                System.arraycopy(field, 0, out, at, field.length);
                at += field.length;
            }
        }
        return out;
    }

    private static int putInt(byte[] out, int at, int value) {
        out[at] = (byte) (value >>> 24);
        out[at + 1] = (byte) (value >>> 16);
        out[at + 2] = (byte) (value >>> 8);
        out[at + 3] = (byte) value;
        return at + 4;
    }
}
