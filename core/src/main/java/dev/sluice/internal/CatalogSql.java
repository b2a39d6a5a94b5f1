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
     * columns do not count); the element type's kind ('e' for enums) for arrays; the labels of the column's enum type (or
     * its elements'), in their order; the type as SQL names it in a cast, without modifier. The table's name is a binding, resolved by {@code to_regclass}.
     */
    static RenderedSql describeTable(PostgresDialect dialect, String table) {
        return RenderedSql.of("SELECT a.attname, t.typname, t.typtype, coalesce(e.typname, ''), a.attnotnull,"
                + " a.atttypmod, coalesce(e.oid::int8, 0), c.relkind::text,"
                + " ARRAY(SELECT i.indexrelid::int8 FROM pg_catalog.pg_index i"
                + " WHERE i.indrelid = a.attrelid AND i.indisunique AND i.indisvalid AND i.indimmediate"
                + " AND i.indpred IS NULL AND i.indexprs IS NULL"
                + " AND a.attnum = ANY ((i.indkey::int2[])[0:i.indnkeyatts - 1]) ORDER BY 1)"
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
}
