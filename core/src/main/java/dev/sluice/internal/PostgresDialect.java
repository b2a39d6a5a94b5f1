package dev.sluice.internal;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * PostgreSQL spelling of names: identifiers are quoted where PostgreSQL needs it. The statements themselves are
 * rendered by the {@code *Sql} classes, each of which quotes through here.
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
}
