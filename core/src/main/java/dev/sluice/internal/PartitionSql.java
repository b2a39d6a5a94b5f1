package dev.sluice.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import dev.sluice.spi.RenderedSql;

/**
 * Renders the statements that split a query on its key into partitions of about equal row counts: what PostgreSQL's
 * statistics say of the key column, a sample of the key's values, and the condition that keeps a query within one
 * partition's range. Key values travel as text ({@code ::text} out, untyped parameters in), so the same text can be
 * carried in a token to another process and bind there as the column's own type.
 */
final class PartitionSql {

    private PartitionSql() {
    }

    /**
     * The table's estimated row count ({@code pg_class.reltuples}, negative or zero when never analyzed) and the
     * histogram bounds of {@code column} ({@code pg_stats.histogram_bounds} as text, null when there are none). The
     * table's name is a binding, resolved by {@code to_regclass} along the search path.
     */
    static RenderedSql statistics(PostgresDialect dialect, String table, String column) {
        return RenderedSql.of("SELECT c.reltuples::float8, (SELECT s.histogram_bounds::text::text[]"
                + " FROM pg_catalog.pg_stats s WHERE s.schemaname = n.nspname AND s.tablename = c.relname"
                + " AND s.attname = $2 ORDER BY s.inherited DESC LIMIT 1)"
                + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.oid = to_regclass($1)", List.of(dialect.identifier(table), column));
    }

    /**
     * The {@code parts - 1} boundaries that cut a sample of the key's values (those matching the conditions) into
     * {@code parts} runs of equal length, in key order, each as the text of the key's columns: the row at rank
     * {@code s} (from 0) starts part {@code floor(s * parts / count)}. {@code TABLESAMPLE BERNOULLI (percent)} reads
     * every page but keeps each row with that chance; the ranking and the picking happen on the server, so only the
     * boundaries travel.
     */
    static RenderedSql sampleBoundaries(PostgresDialect dialect, EntityModel<?> model, List<Condition> conditions,
                                        double percent, int parts) {
        List<Object> bindings = new ArrayList<>();
        bindings.add(percent);
        bindings.add((long) parts);
        List<String> columns = model.key().stream().map(p -> dialect.identifier(p.column())).toList();
        String where = Condition.render(conditions, bindings);
        String keys = String.join(", ", columns);
        String asText = columns.stream().map(c -> "k." + c + "::text").collect(Collectors.joining(", "));
        return RenderedSql.of("SELECT " + asText + " FROM (SELECT " + keys + ", row_number() OVER (ORDER BY " + keys
                + ") - 1 AS sluice_rank, count(*) OVER () AS sluice_count FROM " + dialect.identifier(model.table())
                + " TABLESAMPLE BERNOULLI ($1)" + (where.isEmpty() ? "" : " WHERE " + where) + ") k"
                + " WHERE k.sluice_rank > 0 AND (k.sluice_rank * $2) / k.sluice_count"
                + " > ((k.sluice_rank - 1) * $2) / k.sluice_count ORDER BY k.sluice_rank", bindings);
    }

    /**
     * The condition (with {@code ?} placeholders, as a user's) that the key lies in {@code [lower, upper)}: for
     * {@code (region, id)} {@code (region, id) >= (?, ?) AND (region, id) < (?, ?)}, a row comparison an index on the
     * key serves as one range; either side left out when unbounded. Null when both are.
     */
    static String range(PostgresDialect dialect, EntityModel<?> model, boolean lower, boolean upper) {
        List<String> columns = model.key().stream().map(p -> dialect.identifier(p.column())).toList();
        String key = columns.size() == 1 ? columns.get(0) : "(" + String.join(", ", columns) + ")";
        String values = columns.size() == 1 ? "?" : "(" + columns.stream().map(c -> "?")
                .collect(Collectors.joining(", ")) + ")";
        List<String> sides = new ArrayList<>();
        if (lower) {
            sides.add(key + " >= " + values);
        }
        if (upper) {
            sides.add(key + " < " + values);
        }
        return String.join(" AND ", sides);
    }

    /** The condition of a partition that holds no key: the split found fewer boundaries than partitions. */
    static String nothing() {
        return "false";
    }
}
