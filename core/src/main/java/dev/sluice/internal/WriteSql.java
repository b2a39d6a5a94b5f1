package dev.sluice.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.sluice.QueryException;
import dev.sluice.spi.RenderedSql;
import dev.sluice.spi.TypedNull;
import dev.sluice.spi.UntypedBinary;
import dev.sluice.spi.UntypedText;
import org.jspecify.annotations.Nullable;

/**
 * Renders the writing statements of one entity: multi-row {@code INSERT ... RETURNING} (optionally
 * {@code ON CONFLICT}), {@code UPDATE} and {@code DELETE} by key, and set-based {@code UPDATE}/{@code DELETE}. Pure:
 * the same inputs give the same text, and every value is a binding.
 */
final class WriteSql<T> {

    /** PostgreSQL's limit on bind parameters in one statement (the protocol counts them in an int16). */
    static final int MAX_BIND_PARAMETERS = 65535;

    /** {@code column = value} in a {@code set(..)}: a plain or double-quoted column name, then the value. */
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "\\s*(?:\"((?:[^\"]|\"\")+)\"|([A-Za-z_][A-Za-z0-9_$]*))\\s*=(.*)", Pattern.DOTALL);

    /**
     * What to do when an inserted row conflicts on {@code target}.
     *
     * @param target the conflict columns, validated against the entity
     * @param update {@code DO UPDATE SET} the other non-key columns from {@code EXCLUDED} when true, {@code DO NOTHING}
     *               when false
     */
    record Conflict(List<Property> target, boolean update) {
        Conflict {
            target = List.copyOf(target);
        }
    }

    private final PostgresDialect dialect;
    private final EntityModel<T> model;
    /** The fit of each stored component's value to its column; empty when the columns are not known. */
    private final Map<Property, ColumnFit> fits;
    /** The type of each stored component's column as a cast names it; empty when the columns are not known. */
    private final Map<Property, String> casts;
    /** How each stored component's values travel as one array ({@link #insertArrays}), where they can. */
    private final Map<Property, BinaryArrays.Column> arrays;

    /** Statements whose values are bound as they are: for statements that store none, and for tests. */
    WriteSql(PostgresDialect dialect, EntityModel<T> model) {
        this(dialect, model, Map.of());
    }

    /**
     * Statements whose stored values are first checked to fit their columns exactly, and bound as
     * {@link ColumnFit#bindable} says.
     *
     * @param columns the table's columns as the database describes them, by name
     */
    WriteSql(PostgresDialect dialect, EntityModel<T> model, Map<String, TableCheck.ColumnInfo> columns) {
        this.dialect = dialect;
        this.model = model;
        Map<Property, ColumnFit> fits = new HashMap<>();
        Map<Property, String> casts = new HashMap<>();
        Map<Property, BinaryArrays.Column> arrays = new HashMap<>();
        for (Property p : model.properties()) {
            TableCheck.ColumnInfo column = columns.get(p.column());
            if (column != null) {
                fits.put(p, ColumnFit.of(column));
                BinaryArrays.Column array = BinaryArrays.of(column);
                if (array != null) {
                    arrays.put(p, array);
                }
                if (!column.castType().isEmpty()) {
                    casts.put(p, castName(column));
                }
            }
        }
        this.fits = Map.copyOf(fits);
        this.casts = Map.copyOf(casts);
        this.arrays = Map.copyOf(arrays);
    }

    /** How many rows one {@code INSERT} may carry: the batch size, capped by the bind-parameter limit. */
    int rowsPerStatement(int batchSize) {
        return Math.max(1, Math.min(batchSize, MAX_BIND_PARAMETERS / model.properties().size()));
    }

    /**
     * One {@code INSERT} of {@code rows} as one binary array per column, returning every column:
     * {@code INSERT INTO t (a, b) SELECT "a", "b" FROM unnest($1::int8[], $2::text[]) AS v ("a", "b") RETURNING ...},
     * a value of an enum, citext or ltree column cast from text ({@code "b"::"mood"}). One parse, as many parameters
     * as columns, whatever the number of rows. The columns are those of {@link #insert}, and a null stores NULL as
     * there. Null when the rows cannot go this way, and {@link #insert} writes them: a key that is null in some rows
     * but not all (those take the column's default, which an array cannot say), or a column of a type that does not
     * travel in an array ({@link BinaryArrays#of}), or columns not known.
     *
     * @throws ColumnFit.Misfit for a value that does not fit its column exactly, with its row's index in
     *                          {@code rows} and its component
     */
    @Nullable RenderedSql insertArrays(List<T> rows, @Nullable Conflict conflict) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no rows to insert");
        }
        List<Property> columns = new ArrayList<>();
        for (Property p : model.properties()) {
            if (model.generated(p)) {
                continue;
            }
            if (p.id()) {
                long set = rows.stream().filter(row -> valueOf(p, row, 0) != null).count();
                if (set == 0) {
                    continue;
                }
                if (set != rows.size()) {
                    return null;
                }
            }
            BinaryArrays.Column array = arrays.get(p);
            if (array == null || array.text() && !casts.containsKey(p)) {
                return null;
            }
            columns.add(p);
        }
        if (columns.isEmpty()) {
            return null;
        }
        Property version = versionChecked(rows, conflict);
        List<Object> bindings = new ArrayList<>(columns.size());
        StringJoiner select = new StringJoiner(", ");
        StringJoiner unnest = new StringJoiner(", ");
        for (Property p : columns) {
            BinaryArrays.Column array = arrays.get(p);
            String column = dialect.identifier(p.column());
            String cast = casts.get(p);
            select.add(array.text() ? column + "::" + cast : column);
            unnest.add(arrayParameter(rows, p, array, bindings));
        }
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(dialect.identifier(model.table()))
                .append(version != null ? " AS " + STORED : "").append(" (").append(names(columns))
                .append(") SELECT ").append(select).append(" FROM unnest(").append(unnest).append(") AS v (")
                .append(names(columns)).append(')');
        onConflict(sql, conflict, version);
        sql.append(" RETURNING ").append(names(model.properties()));
        return RenderedSql.of(sql.toString(), bindings);
    }

    /**
     * One {@code INSERT} of {@code rows}, returning every column. A key column whose value is null in a row is left
     * to its default ({@code DEFAULT} in that row, or left out of the column list when null in every row), so that
     * generated keys are generated; any other null is bound as a {@link TypedNull}. An upsert's {@code DO UPDATE} of
     * a {@code @Version}ed entity updates a stored row only when it holds the row's version, and increments it:
     * {@code INSERT INTO t AS stored ... DO UPDATE SET .., version = stored.version + 1 WHERE stored.version =
     * EXCLUDED.version}; a row that holds another version is left as it is and not returned.
     *
     * @throws ColumnFit.Misfit for a value that does not fit its column exactly, with its row's index in
     *                          {@code rows} and its component
     */
    RenderedSql insert(List<T> rows, @Nullable Conflict conflict) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no rows to insert");
        }
        List<Property> columns = new ArrayList<>();
        for (Property p : model.properties()) {
            if (!model.generated(p) && (!p.id() || rows.stream().anyMatch(row -> p.read(row) != null))) {
                columns.add(p);
            }
        }
        if (columns.isEmpty()) {
            columns.addAll(model.key());
        }
        Property version = versionChecked(rows, conflict);
        List<Object> bindings = new ArrayList<>(rows.size() * columns.size());
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(dialect.identifier(model.table()))
                .append(version != null ? " AS " + STORED : "").append(" (").append(names(columns)).append(") VALUES ");
        for (int r = 0; r < rows.size(); r++) {
            T row = rows.get(r);
            sql.append(r == 0 ? "(" : ", (");
            for (int c = 0; c < columns.size(); c++) {
                Property p = columns.get(c);
                Object value = valueOf(p, row, r);
                sql.append(c == 0 ? "" : ", ");
                if (value == null && p.id()) {
                    sql.append("DEFAULT");
                } else {
                    bindings.add(stored(p, value, r));
                    sql.append('$').append(bindings.size());
                }
            }
            sql.append(')');
        }
        onConflict(sql, conflict, version);
        sql.append(" RETURNING ").append(names(model.properties()));
        return RenderedSql.of(sql.toString(), bindings);
    }

    /**
     * The {@code @Version} an upsert's {@code DO UPDATE} checks and increments, each row's checked to be set; null
     * when there is none or the conflict does nothing.
     */
    private @Nullable Property versionChecked(List<T> rows, @Nullable Conflict conflict) {
        Property version = conflict != null && conflict.update() ? model.version() : null;
        if (version != null) {
            for (T row : rows) {
                requireVersion(row, "upsert");
            }
        }
        return version;
    }

    private void onConflict(StringBuilder sql, @Nullable Conflict conflict, @Nullable Property version) {
        if (conflict != null) {
            sql.append(" ON CONFLICT (").append(names(conflict.target())).append(')');
            if (conflict.update()) {
                List<Property> set = updatable(conflict.target());
                sql.append(" DO UPDATE SET ").append(set.stream()
                        .map(p -> dialect.identifier(p.column()) + " = EXCLUDED." + dialect.identifier(p.column()))
                        .collect(Collectors.joining(", ")));
                if (version != null) {
                    String column = dialect.identifier(version.column());
                    sql.append(", ").append(column).append(" = ").append(STORED).append('.').append(column)
                            .append(" + 1 WHERE ").append(STORED).append('.').append(column).append(" = EXCLUDED.")
                            .append(column);
                }
            } else {
                sql.append(" DO NOTHING");
            }
        }
    }

    /** The alias of the stored row in a versioned upsert's {@code DO UPDATE}. */
    private static final String STORED = "stored";

    /**
     * The columns a {@code DO UPDATE} sets from {@code EXCLUDED}: neither key nor conflict target nor
     * {@code @Version} (which is incremented instead).
     */
    List<Property> updatable(List<Property> target) {
        return model.properties().stream().filter(p -> !p.id() && !model.generated(p) && !target.contains(p)
                && p != model.version()).toList();
    }

    /**
     * Validates conflict column (or component) names.
     *
     * @throws QueryException naming the entity's columns when a name is unknown, or when there is none
     */
    Conflict conflict(List<String> names, boolean update) {
        String what = "upsert(" + model.name() + ".class).onConflict(" + names.stream()
                .map(n -> "\"" + n + "\"").collect(Collectors.joining(", ")) + ")";
        if (names.isEmpty()) {
            throw new QueryException(what + ": name the column(s) of a unique constraint or index, e.g. onConflict(\""
                    + model.key().get(0).column() + "\")");
        }
        List<Property> target = new ArrayList<>();
        for (String name : names) {
            Property p = model.property(name).orElseThrow(() -> new QueryException(what + ": " + model.name()
                    + " has no column " + name + "; its columns are " + model.columnList()));
            if (target.contains(p)) {
                throw new QueryException(what + ": column " + p.column() + " is named twice; name it once");
            }
            target.add(p);
        }
        if (update && updatable(target).isEmpty()) {
            throw new QueryException(what + ".doUpdate(): " + model.name() + " has no column besides its key and "
                    + "the conflict columns, so there is nothing to update; use doNothing()");
        }
        return new Conflict(target, update);
    }

    /**
     * {@code UPDATE} of every non-key column of the row with the entity's key, returning every column. A
     * {@code @Deferred} component that is null is left as stored: it may simply not have been loaded, and writing it
     * would erase the stored value.
     *
     * @throws ColumnFit.Misfit for a value that does not fit its column exactly
     */
    RenderedSql update(T entity) {
        Property version = model.version();
        List<Property> set = model.properties().stream()
                .filter(p -> !p.id() && p != version && !model.generated(p)
                        && !(p.deferred() && p.read(entity) == null)).toList();
        if (set.isEmpty()) {
            throw new QueryException("update(" + model.name() + "): every column of " + model.name()
                    + " is part of its key, so there is nothing to update; delete and insert the row instead");
        }
        List<Object> bindings = new ArrayList<>();
        StringBuilder sql = new StringBuilder("UPDATE ").append(dialect.identifier(model.table())).append(" SET ");
        for (int i = 0; i < set.size(); i++) {
            Property p = set.get(i);
            bindings.add(stored(p, valueOf(p, entity, 0), 0));
            sql.append(i == 0 ? "" : ", ").append(dialect.identifier(p.column())).append(" = $").append(bindings.size());
        }
        if (version != null) {
            String column = dialect.identifier(version.column());
            sql.append(", ").append(column).append(" = ").append(column).append(" + 1");
        }
        sql.append(byKey(entity, bindings, "update")).append(" RETURNING ").append(names(model.properties()));
        return RenderedSql.of(sql.toString(), bindings);
    }

    /** {@code DELETE} of the row with the entity's key. */
    RenderedSql delete(T entity) {
        List<Object> bindings = new ArrayList<>();
        String sql = "DELETE FROM " + dialect.identifier(model.table()) + byKey(entity, bindings, "delete");
        return RenderedSql.of(sql, bindings);
    }

    /**
     * One assignment of a {@code set(..)}: a column of the entity and the SQL of its value, with that value's own
     * bound values.
     *
     * @param column   the column assigned
     * @param value    the value's SQL with {@code ?} placeholders: {@code ?}, an expression, or {@code DEFAULT}
     * @param values   the values its placeholders bind, in order
     * @param fragment the whole {@code set(..)} fragment as the caller wrote it, for messages
     */
    record Assignment(Property column, String value, List<Object> values, String fragment) {

        Assignment {
            values = List.copyOf(values);
        }

        /** Whether the value is one bound value ({@code column = ?}), which can be checked against the column. */
        boolean isOneValue() {
            return value.equals("?") && values.size() == 1;
        }

        Assignment withValues(List<Object> bound) {
            return new Assignment(column, value, bound, fragment);
        }
    }

    /**
     * One {@code set(..)} fragment: assignments {@code column = value} separated by commas. Each column is checked
     * against the entity; when rendered ({@link #updateWhere}), each value goes into parentheses of its own
     * ({@code name = ($1)}), so that nothing in it reaches beyond its assignment (a {@code FROM} or {@code WHERE}
     * there is a syntax error, not a join or a filter); {@code DEFAULT} stays as it is.
     *
     * @throws QueryException if the fragment is empty or unreadable, names no column of the entity, holds anything
     *                        {@link Placeholders} refuses, or its placeholders and values differ in number or a value
     *                        is null
     */
    List<Assignment> assignments(String sql, Object[] args) {
        String what = "set(\"" + sql + "\")";
        if (sql.isBlank()) {
            throw new QueryException(what + ": the assignment is empty; write e.g. set(\"name = ?\", value)");
        }
        Placeholders.Rewritten probe = Placeholders.rewrite(sql, 1, what);
        if (probe.count() != args.length) {
            throw new QueryException(what + ": has " + probe.count() + " placeholder" + (probe.count() == 1 ? "" : "s")
                    + " but " + args.length + " value" + (args.length == 1 ? " was" : "s were")
                    + " given; pass one value per ?");
        }
        List<Object> values = new ArrayList<>(args.length);
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                throw new QueryException(what + ": value " + (i + 1) + " is null, and a bare null has no SQL type; "
                        + "write the null into the SQL instead, e.g. set(\"name = null\")");
            }
            values.add(BindValues.normalize(args[i], what, i + 1, model.converters()));
        }
        List<Assignment> assignments = new ArrayList<>();
        int from = 0;
        int bound = 0;
        List<Integer> ends = new ArrayList<>(probe.commas());
        ends.add(sql.length());
        for (int end : ends) {
            String piece = sql.substring(from, end);
            from = end + 1;
            Matcher m = ASSIGNMENT.matcher(piece);
            if (!m.matches()) {
                throw new QueryException(what + ": cannot read '" + piece.trim() + "' as an assignment; write "
                        + "column = value, e.g. set(\"name = ?\", value)");
            }
            String name = m.group(1) != null ? m.group(1).replace("\"\"", "\"") : m.group(2);
            Property p = model.property(name).orElseThrow(() -> new QueryException(what + ": " + model.name()
                    + " has no column or component named '" + name + "'; its columns are " + model.columnList()));
            String value = m.group(3).strip();
            if (value.isEmpty()) {
                throw new QueryException(what + ": nothing after '" + name + " ='; write column = value, e.g. set(\""
                        + p.column() + " = ?\", value)");
            }
            int count = Placeholders.rewrite(value, 1, what).count();
            assignments.add(new Assignment(p, value, values.subList(bound, bound + count), sql));
            bound += count;
        }
        return assignments;
    }

    /**
     * Set-based {@code UPDATE}: the assignments and conditions, numbered in that order. With no conditions the
     * statement touches every row; callers decide whether that was asked for.
     */
    RenderedSql updateWhere(List<Assignment> assignments, List<Condition> conditions) {
        List<Object> bindings = new ArrayList<>();
        StringJoiner set = new StringJoiner(", ");
        for (Assignment a : assignments) {
            if (a.value().equalsIgnoreCase("default")) {
                set.add(dialect.identifier(a.column().column()) + " = DEFAULT");
                continue;
            }
            Placeholders.Rewritten r = Placeholders.rewrite(a.value(), bindings.size() + 1, "set");
            set.add(dialect.identifier(a.column().column()) + " = (" + r.sql() + ")");
            bindings.addAll(a.values());
        }
        String where = Condition.render(conditions, bindings);
        return RenderedSql.of("UPDATE " + dialect.identifier(model.table()) + " SET " + set
                + (where.isEmpty() ? "" : " WHERE " + where), bindings);
    }

    /** Set-based {@code DELETE}; with no conditions it deletes every row. */
    RenderedSql deleteWhere(List<Condition> conditions) {
        List<Object> bindings = new ArrayList<>();
        String where = Condition.render(conditions, bindings);
        return RenderedSql.of("DELETE FROM " + dialect.identifier(model.table())
                + (where.isEmpty() ? "" : " WHERE " + where), bindings);
    }

    /** The entity's key for messages, e.g. {@code id=42} or {@code photo_id=1, tag_id=2}. */
    String describeKey(T entity) {
        return describe(model.key(), entity);
    }

    /** The values of {@code columns} in an entity for messages, e.g. {@code sha1=ab12, region=eu}. */
    String describe(List<Property> columns, T entity) {
        return columns.stream().map(p -> p.column() + "=" + p.read(entity)).collect(Collectors.joining(", "));
    }

    private String byKey(T entity, List<Object> bindings, String what) {
        StringBuilder sql = new StringBuilder(" WHERE ");
        List<Property> key = model.key();
        for (int i = 0; i < key.size(); i++) {
            Property p = key.get(i);
            Object value = p.read(entity);
            if (value == null) {
                throw new QueryException(what + "(" + model.name() + "): key " + p.name() + " is null, so no row can "
                        + "be found by it; " + (what.equals("update") ? "insert the entity instead, or " : "")
                        + "load it first to get its key");
            }
            bindings.add(bindable(p, value));
            sql.append(i == 0 ? "" : " AND ").append(dialect.identifier(p.column())).append(" = $")
                    .append(bindings.size());
        }
        Property version = model.version();
        if (version != null) {
            bindings.add(bindable(version, requireVersion(entity, what)));
            sql.append(" AND ").append(dialect.identifier(version.column())).append(" = $").append(bindings.size());
        }
        return sql.toString();
    }

    /** The entity's version, which an update or delete must match. */
    private Object requireVersion(T entity, String what) {
        Property version = java.util.Objects.requireNonNull(model.version());
        Object value = version.read(entity);
        if (value == null) {
            throw new QueryException(what + "(" + model.name() + "): its @Version " + version.name() + " is null, so "
                    + "no row can match it; " + (what.equals("upsert") ? "give a new entity the version 0, or load "
                    + "the stored one to get its version" : "load the entity first to get its version"));
        }
        return value;
    }

    /**
     * One {@code UPDATE} of many entities by key: {@code UPDATE t AS r SET a = v.a, ... FROM (VALUES ($1::int8,
     * $2::text), ...) AS v (id, a) WHERE r.id = v.id RETURNING r.*}, each value cast to its column's type (so every
     * row's values have the column's type, and none is converted through another). A {@code @Deferred} column that
     * is null in a row keeps its stored value there ({@code coalesce(v.data, r.data)}); a {@code @Version} must
     * match and is incremented.
     *
     * @throws ColumnFit.Misfit for a value that does not fit its column exactly, with its row's index in
     *                          {@code rows} and its component
     */
    RenderedSql updateAll(List<T> rows) {
        return updateAll(rows, false);
    }

    /**
     * {@link #updateAll(List)}, with {@code arrays} the rows joined as one binary array per column where they can be,
     * as {@link #insertArrays} sends them: {@code UPDATE t AS r SET a = v.a FROM unnest($1::int8[], $2::text[]) AS v
     * (id, a) WHERE ...}. Where they cannot (a column of a type without an array form, or sent as text and cast, as
     * an enum's), the rows are joined as {@code VALUES}.
     */
    RenderedSql updateAll(List<T> rows, boolean arrays) {
        Property version = model.version();
        List<Property> set = model.properties().stream().filter(p -> !p.id() && p != version && !model.generated(p))
                .toList();
        if (set.isEmpty() && version == null) {
            throw new QueryException("updateAll(" + model.name() + "): every column of " + model.name()
                    + " is part of its key, so there is nothing to update; delete and insert the rows instead");
        }
        List<Property> columns = new ArrayList<>(model.key());
        columns.addAll(set);
        if (version != null) {
            columns.add(version);
        }
        List<Object> bindings = new ArrayList<>();
        StringJoiner assignments = new StringJoiner(", ");
        for (Property p : set) {
            String column = dialect.identifier(p.column());
            assignments.add(column + " = " + (p.deferred() ? "coalesce(v." + column + ", r." + column + ")"
                    : "v." + column));
        }
        if (version != null) {
            String column = dialect.identifier(version.column());
            assignments.add(column + " = r." + column + " + 1");
        }
        String from = arrays ? unnest(rows, columns, bindings, "updateAll") : null;
        String sql = "UPDATE " + dialect.identifier(model.table()) + " AS r SET " + assignments + " FROM "
                + (from != null ? from : values(rows, columns, bindings, "updateAll")) + " WHERE " + matching(version)
                + " RETURNING " + model.properties().stream().map(p -> "r." + dialect.identifier(p.column()))
                .collect(Collectors.joining(", "));
        return RenderedSql.of(sql, bindings);
    }

    /**
     * One {@code DELETE} of many entities by key (and {@code @Version}): {@code DELETE FROM t AS r USING (VALUES
     * ($1::int8), ...) AS v (id) WHERE r.id = v.id RETURNING r.id}, returning the keys of the rows deleted.
     */
    RenderedSql deleteAll(List<T> rows) {
        Property version = model.version();
        List<Property> columns = new ArrayList<>(model.key());
        if (version != null) {
            columns.add(version);
        }
        List<Object> bindings = new ArrayList<>();
        String sql = "DELETE FROM " + dialect.identifier(model.table()) + " AS r USING "
                + values(rows, columns, bindings, "deleteAll") + " WHERE " + matching(version) + " RETURNING "
                + model.key().stream().map(p -> "r." + dialect.identifier(p.column())).collect(Collectors.joining(", "));
        return RenderedSql.of(sql, bindings);
    }

    /** How many rows one batched update or delete may carry within the bind-parameter limit. */
    int rowsPerBatch(int batchSize, boolean update) {
        int columns = update ? model.properties().size() : model.key().size() + (model.version() == null ? 0 : 1);
        return Math.max(1, Math.min(batchSize, MAX_BIND_PARAMETERS / columns));
    }

    /**
     * The type to cast a value to: {@code format_type}'s name, but for {@code character} and {@code bit}, which as a
     * cast mean {@code char(1)} and {@code bit(1)} and cut longer values to one character or bit: {@code bpchar} and
     * {@code "bit"} take any length, which the column then checks.
     */
    private static String castName(TableCheck.ColumnInfo column) {
        return switch (column.castType()) {
            case "character" -> "bpchar";
            case "character[]" -> "bpchar[]";
            case "bit" -> "\"bit\"";
            case "bit[]" -> "\"bit\"[]";
            default -> column.castType();
        };
    }

    /** {@code (VALUES ($1::int8, ...), ...) AS v (id, ...)}: the rows' values of {@code columns}, cast. */
    private String values(List<T> rows, List<Property> columns, List<Object> bindings, String what) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no rows to write");
        }
        StringBuilder sql = new StringBuilder("(VALUES ");
        for (int r = 0; r < rows.size(); r++) {
            T row = rows.get(r);
            sql.append(r == 0 ? "(" : ", (");
            for (int c = 0; c < columns.size(); c++) {
                Property p = columns.get(c);
                Object value = valueOf(p, row, r);
                if (value == null && (p.id() || p == model.version())) {
                    throw nullMatch(what, p, r);
                }
                bindings.add(stored(p, value, r));
                String cast = casts.get(p);
                sql.append(c == 0 ? "$" : ", $").append(bindings.size()).append(cast == null ? "" : "::" + cast);
            }
            sql.append(')');
        }
        return sql.append(") AS v (").append(names(columns)).append(')').toString();
    }

    /**
     * {@code unnest($1::int8[], ...) AS v (id, ...)}: the rows' values of {@code columns}, one binary array each; null
     * (and nothing bound) when a column has no array form here, or goes as text to be cast.
     */
    private @Nullable String unnest(List<T> rows, List<Property> columns, List<Object> bindings, String what) {
        for (Property p : columns) {
            BinaryArrays.Column array = arrays.get(p);
            if (array == null || array.text()) {
                return null;
            }
        }
        for (int r = 0; r < rows.size(); r++) {
            for (Property p : columns) {
                if ((p.id() || p == model.version()) && valueOf(p, rows.get(r), r) == null) {
                    throw nullMatch(what, p, r);
                }
            }
        }
        StringJoiner unnest = new StringJoiner(", ", "unnest(", ")");
        for (Property p : columns) {
            unnest.add(arrayParameter(rows, p, arrays.get(p), bindings));
        }
        return unnest + " AS v (" + names(columns) + ")";
    }

    /** Binds the rows' values of {@code p} as one binary array; returns its parameter, cast: {@code $3::int8[]}. */
    private String arrayParameter(List<T> rows, Property p, BinaryArrays.Column array, List<Object> bindings) {
        bindings.add(new UntypedBinary(BinaryArrays.encode(rows, p, array)));
        return "$" + bindings.size() + "::" + array.arrayType();
    }

    private QueryException nullMatch(String what, Property p, int r) {
        return new QueryException(what + "(" + model.name() + "): " + (p.id() ? "key " : "@Version ")
                + p.name() + " is null in input row " + (r + 1) + " of the statement, so no row can "
                + "match it; load the entity first");
    }

    /** {@code r.id = v.id AND ...}, and the version. */
    private String matching(@Nullable Property version) {
        List<Property> match = new ArrayList<>(model.key());
        if (version != null) {
            match.add(version);
        }
        return match.stream().map(p -> "r." + dialect.identifier(p.column()) + " = v." + dialect.identifier(p.column()))
                .collect(Collectors.joining(" AND "));
    }

    /** {@code COPY table (columns) FROM STDIN (FORMAT binary)}: the statement of {@link BinaryCopy}'s bytes. */
    String copyIn(List<Property> columns) {
        return "COPY " + dialect.identifier(model.table()) + " (" + names(columns) + ") FROM STDIN (FORMAT binary)";
    }

    private String names(List<Property> properties) {
        return properties.stream().map(p -> dialect.identifier(p.column())).collect(Collectors.joining(", "));
    }

    /**
     * A value to store into {@code p}'s column, as {@link ColumnFit} makes it when the column is known, else as
     * {@link #bindable}.
     *
     * @param row the index of the value's row in the statement, for a misfit
     */
    private Object stored(Property p, @Nullable Object value, int row) {
        ColumnFit fit = fits.get(p);
        if (fit == null) {
            return bindable(p, value);
        }
        if (value == null) {
            return fit.nullFor(p.type());
        }
        try {
            return fit.bindable(fit.fit(value instanceof Enum<?> e ? e.name() : value));
        } catch (ColumnFit.Misfit m) {
            throw m.at(row, p);
        }
    }

    /** The stored value of {@code p} in {@code row}, the statement's row {@code r}: a misfit names both. */
    private static Object valueOf(Property p, Object row, int r) {
        try {
            return p.read(row);
        } catch (ColumnFit.Misfit m) {
            throw m.at(r, p);
        }
    }

    /** A component value as the driver binds it: enums as names, null as a {@link TypedNull} of the wire type. */
    static Object bindable(Property p, @Nullable Object value) {
        if (value == null) {
            return new TypedNull(ValueType.wireType(p.type()));
        }
        if (value instanceof Enum<?> e) {
            return new UntypedText(e.name());
        }
        return value;
    }
}
