package dev.sluice;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * One page of a query's rows, for a REST API: the rows, in the query's order, and an opaque token for the page after
 * them ({@link Query#page(int, String)}). The token is URL-safe (base64url, no padding) and bound to the query that
 * made it: the same entity (or SQL), the same conditions with the same values, the same order, and the same
 * repository. Another query's token, or one altered, is refused with a {@link QueryException} before any SQL runs.
 *
 * @param rows the page's rows, at most the size asked for
 * @param next the token of the next page, or null when this is the last page
 * @param <T>  the row type
 */
public record KeysetPage<T>(List<T> rows, @Nullable String next) {

    public KeysetPage {
        rows = List.copyOf(Objects.requireNonNull(rows, "rows"));
    }

    /** Whether there are rows after this page. */
    public boolean hasNext() {
        return next != null;
    }
}
