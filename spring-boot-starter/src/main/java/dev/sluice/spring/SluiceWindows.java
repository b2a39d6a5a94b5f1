package dev.sluice.spring;

import java.util.Map;
import java.util.Objects;

import dev.sluice.KeysetPage;
import dev.sluice.Query;
import dev.sluice.SqlQuery;
import org.jspecify.annotations.Nullable;
import org.springframework.data.domain.KeysetScrollPosition;
import org.springframework.data.domain.ScrollPosition;
import org.springframework.data.domain.Window;
import reactor.core.publisher.Mono;

/**
 * Sluice's pages as Spring Data's {@link Window}, and Spring Data's {@link ScrollPosition} as Sluice's resume token,
 * for code written against Spring Data's scrolling API. Needs spring-data-commons on the class path (any Spring Data
 * module brings it; the starter declares it optional).
 *
 * <pre>{@code
 * Mono<Window<Picture>> first = SluiceWindows.window(repo.select(Picture.class).orderBy("taken_at"), 100,
 *         ScrollPosition.keyset());
 * // then, from the position after a window's last row:
 * Mono<Window<Picture>> next = SluiceWindows.window(query, 100, window.positionAt(window.size() - 1));
 * }</pre>
 *
 * <p>A window's position is a {@link KeysetScrollPosition}, forward, whose one key {@value #TOKEN} holds the page's
 * resume token: opaque, URL-safe and bound to its query as {@link Query#page(int, String)} describes, so a position
 * of another query, or altered, is refused before any SQL runs. A Sluice page knows the position after its last row
 * only, and only when rows follow: {@link Window#positionAt(int)} of the last row of a window that
 * {@link Window#hasNext() has a next}, as Spring Data's {@code WindowIterator} asks for it;
 * {@link Window#hasPosition(int)} is false elsewhere. Positions that scroll backward, offsets past the start, and
 * keyset positions that Sluice did not make (with property values as keys) are refused with an
 * {@link IllegalArgumentException} that says what to pass instead; to continue after a row's values, use
 * {@link Query#afterValues(Object...)}.
 *
 * <p>Thread-safe: it holds no state.
 */
public final class SluiceWindows {

    /** The key of a Sluice position's one entry, its resume token. */
    public static final String TOKEN = "sluice.token";

    private SluiceWindows() {
    }

    /**
     * The window of {@code query}'s rows after {@code position}: from the start for an initial position
     * ({@link ScrollPosition#keyset()}, or {@link ScrollPosition#offset()}), else after the position a window of
     * this query gave.
     *
     * @throws IllegalArgumentException if {@code position} is not one Sluice can continue from
     */
    public static <T> Mono<Window<T>> window(Query<T> query, int size, ScrollPosition position) {
        Objects.requireNonNull(query, "query");
        String token = token(position);
        return query.page(size, token).map(SluiceWindows::window);
    }

    /** As {@link #window(Query, int, ScrollPosition)}, for custom SQL paged by {@link SqlQuery#keysetBy}. */
    public static <R> Mono<Window<R>> window(SqlQuery<R> query, int size, ScrollPosition position) {
        Objects.requireNonNull(query, "query");
        String token = token(position);
        return query.page(size, token).map(SluiceWindows::window);
    }

    /**
     * {@code page} as a window: its rows, whether a next page follows, and at its last row (when one follows) the
     * position holding the next page's token.
     */
    public static <T> Window<T> window(KeysetPage<T> page) {
        Objects.requireNonNull(page, "page");
        int last = page.rows().size() - 1;
        String next = page.next();
        return Window.from(page.rows(), index -> {
            if (index != last || next == null) {
                throw new IllegalStateException("positionAt(" + index + "): a Sluice window has a position only "
                        + "after its last row (" + last + "), and only when rows follow it (hasNext() is "
                        + (next != null) + "); continue from positionAt(size() - 1) while hasNext()");
            }
            return ScrollPosition.forward(Map.of(TOKEN, next));
        }, next != null);
    }

    /**
     * The resume token {@code position} holds, for {@link Query#page(int, String)}: null for an initial position
     * (the first page).
     *
     * @throws IllegalArgumentException if {@code position} scrolls backward, is an offset past the start, or is a
     *                                  keyset position that a Sluice window did not make
     */
    public static @Nullable String token(ScrollPosition position) {
        Objects.requireNonNull(position, "position");
        if (position.isInitial()) {
            return null;
        }
        if (!(position instanceof KeysetScrollPosition keyset)) {
            throw new IllegalArgumentException(position + ": Sluice pages by keyset, not by offset; start with "
                    + "ScrollPosition.keyset() and continue from a window's positionAt(size() - 1)");
        }
        if (keyset.scrollsBackward()) {
            throw new IllegalArgumentException(position + ": Sluice pages scroll forward only; to read backward, "
                    + "query in the reverse order (orderBy(\"... desc\")) and continue forward");
        }
        if (keyset.getKeys().size() != 1 || !(keyset.getKeys().get(TOKEN) instanceof String token)) {
            throw new IllegalArgumentException(position + ": not a position of a Sluice window (its one key is '"
                    + TOKEN + "', a resume token); to continue after a row's values, use afterValues(..) on the "
                    + "query");
        }
        return token;
    }
}
