package dev.sluice.internal;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * PostgreSQL spelling: identifier quoting and the statements that are not plain selects.
 */
final class PostgresDialect {

    static final PostgresDialect INSTANCE = new PostgresDialect();

    private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_$]*");

    /** Reserved words (and those reserved as names) in PostgreSQL 15: such names must be quoted. */
    private static final Set<String> RESERVED = Set.of(
            "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization", "binary",
            "both", "case", "cast", "check", "collate", "collation", "column", "concurrently", "constraint", "create",
            "cross", "current_catalog", "current_date", "current_role", "current_schema", "current_time",
            "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end",
            "except", "false", "fetch", "for", "foreign", "freeze", "from", "full", "grant", "group", "having",
            "ilike", "in", "initially", "inner", "intersect", "into", "is", "isnull", "join", "lateral", "leading",
            "left", "like", "limit", "localtime", "localtimestamp", "natural", "not", "notnull", "null", "offset",
            "on", "only", "or", "order", "outer", "overlaps", "placing", "primary", "references", "returning",
            "right", "select", "session_user", "similar", "some", "symmetric", "system_user", "table", "tablesample",
            "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "verbose", "when",
            "where", "window", "with");

    private PostgresDialect() {
    }

    /**
     * Renders a name as an identifier: as it is when it is a plain lower-case name, double-quoted otherwise
     * (names are exact, case-sensitive). A dotted name is treated as {@code schema.table}.
     */
    String identifier(String name) {
        int dot = name.indexOf('.');
        if (dot > 0 && dot < name.length() - 1 && name.indexOf('"') < 0) {
            return quoteOne(name.substring(0, dot)) + "." + quoteOne(name.substring(dot + 1));
        }
        return quoteOne(name);
    }

    private static String quoteOne(String name) {
        if (PLAIN.matcher(name).matches() && !RESERVED.contains(name)) {
            return name;
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /**
     * Describes a table's columns: name, type name, type kind ('e' for enums), element type name for arrays, NOT
     * NULL, type modifier, element type OID for arrays; then the relation's kind ({@code pg_class.relkind}: 'r'
     * table, 'p' partitioned table, 'v' view, 'm' materialized view, 'f' foreign table) and the unique indexes the
     * column is a key column of (valid, immediate rather than deferrable, not partial, on plain columns; INCLUDE
     * columns do not count).
     */
    String describeTable() {
        return "SELECT a.attname, t.typname, t.typtype, coalesce(e.typname, ''), a.attnotnull, a.atttypmod,"
                + " coalesce(e.oid::int8, 0), c.relkind::text,"
                + " ARRAY(SELECT i.indexrelid::int8 FROM pg_catalog.pg_index i"
                + " WHERE i.indrelid = a.attrelid AND i.indisunique AND i.indisvalid AND i.indimmediate"
                + " AND i.indpred IS NULL AND i.indexprs IS NULL"
                + " AND a.attnum = ANY ((i.indkey::int2[])[0:i.indnkeyatts - 1]) ORDER BY 1)"
                + " FROM pg_catalog.pg_attribute a"
                + " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
                + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
                + " LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'"
                + " WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped"
                + " ORDER BY a.attnum";
    }

    String declareCursor(String cursor, String query) {
        return "DECLARE " + cursor + " NO SCROLL CURSOR FOR " + query;
    }

    String fetch(String cursor, int rows) {
        return "FETCH FORWARD " + rows + " FROM " + cursor;
    }

    String closeCursor(String cursor) {
        return "CLOSE " + cursor;
    }
}
