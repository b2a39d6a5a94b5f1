package dev.sluice.internal;

import dev.sluice.spi.RenderedSql;

/**
 * Renders the statements of a server-side cursor: {@code DECLARE} over a query, {@code FETCH} a page, {@code CLOSE}.
 * Cursor names are Sluice's own ({@code sluice_cursor_<n>}), never the user's.
 */
final class CursorSql {

    private CursorSql() {
    }

    /** Declares {@code cursor} over {@code query}, whose bindings it keeps. */
    static RenderedSql declare(String cursor, RenderedSql query) {
        return RenderedSql.of("DECLARE " + cursor + " NO SCROLL CURSOR FOR " + query.sql(), query.bindings());
    }

    /** The next {@code rows} rows of {@code cursor}. */
    static RenderedSql fetch(String cursor, int rows) {
        return RenderedSql.of("FETCH FORWARD " + rows + " FROM " + cursor);
    }

    static RenderedSql close(String cursor) {
        return RenderedSql.of("CLOSE " + cursor);
    }
}
