package dev.sluice.internal;

import java.util.List;

import dev.sluice.spi.RenderedSql;

/**
 * Renders the catalog query that describes an entity's table, read once per entity by {@link EntityCatalog}.
 */
final class CatalogSql {

    private CatalogSql() {
    }

    /**
     * Describes a table's columns: name, type name, type kind ('e' for enums), element type name for arrays, NOT
     * NULL, type modifier, element type OID for arrays; then the relation's kind ({@code pg_class.relkind}: 'r'
     * table, 'p' partitioned table, 'v' view, 'm' materialized view, 'f' foreign table) and the unique indexes the
     * column is a key column of (valid, immediate rather than deferrable, not partial, on plain columns; INCLUDE
     * columns do not count); then whether the column is the first of a valid, non-partial btree index (which can
     * serve a keyset order that starts with it); the element type's kind ('e' for enums) for arrays; the labels of
     * the column's enum type (or its elements'), in their order; the type as SQL names it in a cast, without
     * modifier. The table's name is a binding, resolved by {@code to_regclass}.
     */
    static RenderedSql describeTable(PostgresDialect dialect, String table) {
        return RenderedSql.of("SELECT a.attname, t.typname, t.typtype, coalesce(e.typname, ''), a.attnotnull,"
                + " a.atttypmod, coalesce(e.oid::int8, 0), c.relkind::text,"
                + " ARRAY(SELECT i.indexrelid::int8 FROM pg_catalog.pg_index i"
                + " WHERE i.indrelid = a.attrelid AND i.indisunique AND i.indisvalid AND i.indimmediate"
                + " AND i.indpred IS NULL AND i.indexprs IS NULL"
                + " AND a.attnum = ANY ((i.indkey::int2[])[0:i.indnkeyatts - 1]) ORDER BY 1),"
                + " EXISTS (SELECT 1 FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class xc ON xc.oid = x.indexrelid"
                + " JOIN pg_catalog.pg_am am ON am.oid = xc.relam WHERE x.indrelid = a.attrelid AND x.indisvalid"
                + " AND x.indpred IS NULL AND am.amname = 'btree' AND x.indkey[0] = a.attnum)"
                + ", coalesce(e.typtype::text, ''),"
                + " ARRAY(SELECT l.enumlabel::text FROM pg_catalog.pg_enum l"
                + " WHERE l.enumtypid = coalesce(e.oid, t.oid) ORDER BY l.enumsortorder)"
                + ", format_type(a.atttypid, NULL)"
                + " FROM pg_catalog.pg_attribute a"
                + " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
                + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
                + " LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'"
                + " WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped"
                + " ORDER BY a.attnum", List.of(dialect.identifier(table)));
    }

    /**
     * The index that serves keyset pages in {@code order} on {@code table}: its columns in its order, e.g.
     * {@code CREATE INDEX ON picture (taken_at, id)}; an order all descending gets the ascending index, which
     * PostgreSQL scans backwards.
     */
    static String suggestedIndex(PostgresDialect dialect, String table, OrderBy order) {
        boolean allDescending = order.terms().stream().allMatch(OrderBy.Term::descending);
        StringBuilder columns = new StringBuilder();
        for (OrderBy.Term t : order.terms()) {
            columns.append(columns.length() == 0 ? "" : ", ").append(dialect.identifier(t.property().column()))
                    .append(t.descending() && !allDescending ? " DESC" : "");
        }
        return "CREATE INDEX ON " + dialect.identifier(table) + " (" + columns + ")";
    }
}
