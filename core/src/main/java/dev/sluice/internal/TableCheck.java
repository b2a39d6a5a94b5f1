package dev.sluice.internal;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.sluice.MappingException;
import org.jspecify.annotations.Nullable;

/**
 * Checks an entity against its table once, when first used: every component's column exists and its type fits.
 * Messages name the entity, the component, the column and the fix.
 */
final class TableCheck {

    /**
     * One column as the database describes it.
     *
     * @param typmod        PostgreSQL's type modifier ({@code atttypmod}): precision and scale of a numeric, length
     *                      of a varchar, fraction digits of a timestamp; -1 when there is none. Of the elements, for
     *                      an array
     * @param elementOid    the type OID of an array's elements, 0 for other columns
     * @param kind          the relation's {@code pg_class.relkind}, e.g. 'r' for a table, 'v' for a view
     * @param uniqueIndexes the unique indexes that make rows unique of which this is a key column
     * @param elementIsEnum whether an array's elements are of an enum type
     * @param enumLabels    the labels of the column's enum type, or of its elements', in order; empty for others
     * @param castType      the type as a cast names it ({@code format_type} without modifier), e.g.
     *                      {@code numeric}, {@code map_mood}; empty when not known
     */
    record ColumnInfo(String name, String type, boolean isEnum, String elementType, boolean notNull, int typmod,
                      long elementOid, String kind, List<Long> uniqueIndexes, boolean leadsIndex,
                      boolean elementIsEnum, List<String> enumLabels, String castType) {

        ColumnInfo {
            uniqueIndexes = List.copyOf(uniqueIndexes);
            enumLabels = List.copyOf(enumLabels);
        }

        /** A column that leads no index and is not of an enum type, nor an array of one. */
        ColumnInfo(String name, String type, boolean isEnum, String elementType, boolean notNull, int typmod,
                   long elementOid, String kind, List<Long> uniqueIndexes) {
            this(name, type, isEnum, elementType, notNull, typmod, elementOid, kind, uniqueIndexes, false);
        }

        /** A column that is not of an enum type, nor an array of one. */
        ColumnInfo(String name, String type, boolean isEnum, String elementType, boolean notNull, int typmod,
                   long elementOid, String kind, List<Long> uniqueIndexes, boolean leadsIndex) {
            this(name, type, isEnum, elementType, notNull, typmod, elementOid, kind, uniqueIndexes, leadsIndex, false,
                    List.of(), "");
        }

        /** A column that leads no index. */
        ColumnInfo(String name, String type, boolean isEnum, String elementType, boolean notNull, int typmod,
                   long elementOid, String kind, List<Long> uniqueIndexes, boolean elementIsEnum,
                   List<String> enumLabels, String castType) {
            this(name, type, isEnum, elementType, notNull, typmod, elementOid, kind, uniqueIndexes, false,
                    elementIsEnum, enumLabels, castType);
        }

        /** A column of a table without unique indexes, without a type modifier. */
        ColumnInfo(String name, String type, boolean isEnum, String elementType, boolean notNull) {
            this(name, type, isEnum, elementType, notNull, -1, 0, "r", List.of());
        }

        /** A column of a table without unique indexes. */
        ColumnInfo(String name, String type, boolean isEnum, String elementType, boolean notNull, int typmod,
                   long elementOid) {
            this(name, type, isEnum, elementType, notNull, typmod, elementOid, "r", List.of());
        }

        /** A column without a type modifier. */
        ColumnInfo(String name, String type, boolean isEnum, String elementType, boolean notNull, String kind,
                   List<Long> uniqueIndexes) {
            this(name, type, isEnum, elementType, notNull, -1, 0, kind, uniqueIndexes);
        }

        /** Reads a row of {@link PostgresDialect#describeTable()}. */
        static ColumnInfo read(dev.sluice.spi.RowView row) {
            Integer typmod = row.get(5, Integer.class);
            Long elementOid = row.get(6, Long.class);
            Long[] indexes = row.get(8, Long[].class);
            Boolean leads = row.get(9, Boolean.class);
            String[] labels = row.get(11, String[].class);
            return new ColumnInfo(
                    java.util.Objects.requireNonNull(row.get(0, String.class)),
                    java.util.Objects.requireNonNull(row.get(1, String.class)),
                    "e".equals(row.get(2, String.class)),
                    java.util.Objects.requireNonNull(row.get(3, String.class)),
                    Boolean.TRUE.equals(row.get(4, Boolean.class)),
                    typmod == null ? -1 : typmod,
                    elementOid == null ? 0 : elementOid,
                    java.util.Objects.requireNonNull(row.get(7, String.class)),
                    indexes == null ? List.of() : List.of(indexes),
                    Boolean.TRUE.equals(leads),
                    "e".equals(row.get(10, String.class)),
                    labels == null ? List.of() : List.of(labels),
                    java.util.Objects.requireNonNull(row.get(12, String.class)));
        }

        boolean isArray() {
            return !elementType.isEmpty();
        }

        /** The column an element of this array column is written to: its type, with the array's modifier. */
        ColumnInfo element() {
            return new ColumnInfo(name, elementType, elementIsEnum, "", false, typmod, 0, "r", List.of(), false,
                    enumLabels, "");
        }

        /** The declared type as PostgreSQL spells it in a message, e.g. {@code numeric(5,2)} or {@code int4[]}. */
        String declared() {
            if (isArray()) {
                return element().declared() + "[]";
            }
            if (typmod < 0) {
                return type;
            }
            return switch (type) {
                case "numeric" -> "numeric(" + numericPrecision() + "," + numericScale() + ")";
                case "varchar", "bpchar" -> type + "(" + length() + ")";
                case "timestamptz", "timestamp", "time", "timetz", "bit", "varbit" -> type + "(" + typmod + ")";
                default -> type;
            };
        }

        /** A numeric's precision; meaningful when {@code typmod >= 0}. */
        int numericPrecision() {
            return ((typmod - 4) >> 16) & 0xffff;
        }

        /** A numeric's scale, which PostgreSQL 15 allows to be negative or beyond the precision. */
        int numericScale() {
            return (((typmod - 4) & 0x7ff) ^ 1024) - 1024;
        }

        /** A varchar's or char's length in characters; meaningful when {@code typmod >= 0}. */
        int length() {
            return typmod - 4;
        }
    }

    /** PostgreSQL type name to the Java types Sluice reads it as, preferred first. */
    private static final Map<String, List<Class<?>>> READS_AS = Map.ofEntries(
            Map.entry("int2", List.of(Short.class, Integer.class, Long.class, BigDecimal.class)),
            Map.entry("int4", List.of(Integer.class, Long.class, BigDecimal.class)),
            Map.entry("int8", List.of(Long.class, BigDecimal.class)),
            Map.entry("numeric", List.of(BigDecimal.class, Double.class)),
            Map.entry("float4", List.of(Float.class, Double.class)),
            Map.entry("float8", List.of(Double.class)),
            Map.entry("bool", List.of(Boolean.class)),
            Map.entry("text", List.of(String.class)),
            Map.entry("varchar", List.of(String.class)),
            Map.entry("bpchar", List.of(String.class)),
            Map.entry("name", List.of(String.class)),
            Map.entry("citext", List.of(String.class)),
            Map.entry("json", List.of(String.class)),
            Map.entry("jsonb", List.of(String.class)),
            Map.entry("bytea", List.of(byte[].class)),
            Map.entry("interval", List.of(java.time.Duration.class, dev.sluice.Interval.class)),
            Map.entry("ltree", List.of(String.class)),
            Map.entry("inet", List.of(java.net.InetAddress.class, String.class)),
            Map.entry("cidr", List.of(String.class)),
            Map.entry("bit", List.of(String.class)),
            Map.entry("varbit", List.of(String.class)),
            Map.entry("uuid", List.of(UUID.class)),
            Map.entry("timestamptz", List.of(Instant.class, OffsetDateTime.class, ZonedDateTime.class)),
            Map.entry("timestamp", List.of(LocalDateTime.class)),
            Map.entry("date", List.of(LocalDate.class)),
            Map.entry("time", List.of(LocalTime.class)),
            Map.entry("timetz", List.of(OffsetTime.class)));

    private TableCheck() {
    }

    /**
     * @throws MappingException describing the first problem found
     */
    static void check(EntityModel<?> model, List<ColumnInfo> columns) {
        if (columns.isEmpty()) {
            throw new MappingException(model.name() + ": table " + model.table() + " does not exist (or has no "
                    + "columns) in the connection's search_path; create it, or name the right one with "
                    + "@Table(\"schema.table\")");
        }
        Map<String, ColumnInfo> byName = columns.stream()
                .collect(Collectors.toMap(ColumnInfo::name, c -> c, (a, b) -> a));
        for (Property p : model.properties()) {
            String where = model.name() + "." + p.name();
            ColumnInfo column = byName.get(p.column());
            if (column == null) {
                String hint = similar(p, columns);
                throw new MappingException(where + ": table " + model.table() + " has no column " + p.column()
                        + (hint != null ? "; did you mean " + hint + "? Map it with @Column(\"" + hint + "\")"
                                : "; its columns are " + columns.stream().map(ColumnInfo::name)
                                .collect(Collectors.joining(", ")) + ". Map the component with @Column(\"...\")"));
            }
            String problem = typeProblem(p, column);
            if (problem != null) {
                throw new MappingException(where + ": " + problem);
            }
        }
    }

    /**
     * Checks that the entity's key can page and find rows: its columns are NOT NULL and a unique index (a primary
     * key's among them) on some or all of them makes them unique. Call after {@link #check}, so the key columns
     * exist.
     *
     * @param columns the table's columns, as for {@link #check}
     * @throws MappingException saying how to make the key unique or to declare it so
     */
    static void checkKey(EntityModel<?> model, List<ColumnInfo> columns) {
        String kind = columns.isEmpty() ? "" : columns.get(0).kind();
        List<String> key = model.key().stream().map(Property::column).toList();
        Map<Long, List<String>> byIndex = new java.util.LinkedHashMap<>();
        for (ColumnInfo c : columns) {
            for (Long index : c.uniqueIndexes()) {
                byIndex.computeIfAbsent(index, i -> new ArrayList<>()).add(c.name());
            }
        }
        boolean unique = byIndex.values().stream().anyMatch(key::containsAll);
        Map<String, ColumnInfo> byName = columns.stream()
                .collect(Collectors.toMap(ColumnInfo::name, c -> c, (a, b) -> a));
        Property nullable = model.key().stream().filter(p -> !byName.get(p.column()).notNull()).findFirst()
                .orElse(null);
        if (unique && nullable == null) {
            return;
        }
        String name = model.name();
        String table = model.table();
        String keyList = "(" + model.keyColumnList() + ")";
        String declare = "annotate " + name + " with @UniqueKey";
        if (!kind.equals("r") && !kind.equals("p")) {
            throw new MappingException(name + ": " + table + " is " + describeKind(kind) + ", so PostgreSQL cannot "
                    + "tell whether " + name + "'s key " + keyList + " is unique and never NULL, and keyset pages "
                    + "over a key that repeats skip rows; if it is unique and never NULL, " + declare);
        }
        String sqlTable = PostgresDialect.INSTANCE.identifier(table);
        if (!unique) {
            throw new MappingException(name + ": table " + table + " has no primary key or unique index on " + name
                    + "'s key " + keyList + ", so keyset pages could skip or repeat rows; add one, e.g. ALTER TABLE "
                    + sqlTable + " ADD PRIMARY KEY " + keyList + ", or, if the key is unique and never NULL anyway, "
                    + declare);
        }
        throw new MappingException(name + "." + nullable.name() + ": key column " + nullable.column() + " of table "
                + table + " may be NULL, so keyset pages could skip rows; make it NOT NULL, e.g. ALTER TABLE "
                + sqlTable + " ALTER COLUMN " + PostgresDialect.INSTANCE.identifier(nullable.column())
                + " SET NOT NULL, or, if it never is NULL, " + declare);
    }

    private static String describeKind(String kind) {
        return switch (kind) {
            case "v" -> "a view";
            case "m" -> "a materialized view";
            case "f" -> "a foreign table";
            default -> "a relation of kind '" + kind + "'";
        };
    }

    private static @Nullable String typeProblem(Property p, ColumnInfo column) {
        Class<?> java = p.boxedType();
        String described = "column " + column.name() + " is " + column.type();
        if (column.isEnum()) {
            if (java.isEnum()) {
                return missingLabels(java, column);
            }
            return java == String.class ? null
                    : described + " (an enum type) but the component is " + p.type().getSimpleName()
                    + "; declare it as a Java enum or String";
        }
        if (column.elementIsEnum()) {
            if (java.isArray() && java.getComponentType().isEnum()) {
                return missingLabels(java.getComponentType(), column);
            }
            return java == String[].class ? null
                    : "column " + column.name() + " is " + column.elementType() + "[] (an array of an enum type) but "
                    + "the component is " + p.type().getSimpleName() + "; declare it as an array of a Java enum, or "
                    + "String[]";
        }
        if (java.isEnum()) {
            return READS_AS.getOrDefault(column.type(), List.of()).contains(String.class) ? null
                    : described + " but the component is the enum " + java.getSimpleName()
                    + "; enums are stored as text: make the column text or varchar, or declare the component as "
                    + suggestion(column.type());
        }
        if (!column.elementType().isEmpty()) {
            List<Class<?>> elements = READS_AS.get(column.elementType());
            if (elements == null) {
                return null; // an array of a type Sluice does not know: leave it to the driver
            }
            boolean fits = java.isArray() && (elements.contains(java.getComponentType())
                    || java.getComponentType().isEnum() && elements.contains(String.class));
            return fits ? null : "column " + column.name() + " is " + column.elementType() + "[] but the component is "
                    + p.type().getSimpleName() + "; declare it as " + ValueType.either(elements.stream()
                    .map(c -> c.getSimpleName() + "[]").toList());
        }
        List<Class<?>> reads = READS_AS.get(column.type());
        if (reads == null) {
            return null; // a type Sluice does not know: the driver decides at run time
        }
        if (reads.contains(java)) {
            return null;
        }
        return described + " but the component is " + p.type().getSimpleName() + "; declare it as "
                + suggestion(column.type());
    }

    /**
     * The problem when the Java enum has constants the PostgreSQL enum lacks, which no row could hold: null when
     * every constant is a label (the database may have more labels; reading one fails naming it).
     */
    private static @Nullable String missingLabels(Class<?> javaEnum, ColumnInfo column) {
        List<String> missing = new ArrayList<>();
        for (Object constant : javaEnum.getEnumConstants()) {
            String name = ((Enum<?>) constant).name();
            if (!column.enumLabels().contains(name)) {
                missing.add(name);
            }
        }
        if (missing.isEmpty()) {
            return null;
        }
        String pgType = column.isEnum() ? column.type() : column.elementType();
        return "the Java enum " + javaEnum.getSimpleName() + " has " + (missing.size() == 1 ? "the constant " : "the "
                + "constants ") + String.join(", ", missing) + ", which the PostgreSQL enum " + pgType + " of column "
                + column.name() + " lacks (its labels are " + String.join(", ", column.enumLabels()) + "); add "
                + (missing.size() == 1 ? "it" : "them") + " to the type, e.g. ALTER TYPE "
                + PostgresDialect.INSTANCE.identifier(pgType) + " ADD VALUE '" + missing.get(0) + "', or remove "
                + (missing.size() == 1 ? "it" : "them") + " from " + javaEnum.getSimpleName();
    }

    private static String suggestion(String pgType) {
        List<Class<?>> reads = READS_AS.getOrDefault(pgType, List.of());
        List<String> names = new ArrayList<>();
        for (Class<?> c : reads.subList(0, Math.min(2, reads.size()))) {
            names.add(c.getSimpleName());
        }
        return names.isEmpty() ? "a type the driver reads " + pgType + " as" : ValueType.either(names);
    }

    private static @Nullable String similar(Property p, List<ColumnInfo> columns) {
        String wanted = squash(p.column());
        String byName = squash(p.name());
        for (ColumnInfo c : columns) {
            String candidate = squash(c.name());
            if (candidate.equals(wanted) || candidate.equals(byName)) {
                return c.name();
            }
        }
        return null;
    }

    private static String squash(String name) {
        return name.replace("_", "").toLowerCase(Locale.ROOT);
    }
}
