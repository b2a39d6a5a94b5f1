package dev.sluice.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.sluice.KeysetPage;
import dev.sluice.Query;
import dev.sluice.QueryException;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.domain.KeysetScrollPosition;
import org.springframework.data.domain.ScrollPosition;
import org.springframework.data.domain.Window;
import org.springframework.data.support.WindowIterator;

/**
 * {@link SluiceWindows}: pages as Spring Data windows and back, without a database; then Spring Data's own
 * {@link WindowIterator} scrolling a query in time order against PostgreSQL, compared with the SQL's order.
 */
class SluiceWindowsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int ROWS = 257;

    @Table("spring_window_event")
    record Event(@Id Long id, Instant at, String name) {
    }

    @Test
    void aPageIsAWindowWhosePositionAfterItsLastRowHoldsTheToken() {
        Window<String> window = SluiceWindows.window(new KeysetPage<>(List.of("a", "b", "c"), "tok_en"));
        assertThat(window.getContent()).containsExactly("a", "b", "c");
        assertThat(window.hasNext()).isTrue();
        assertThat(window.isLast()).isFalse();
        ScrollPosition position = window.positionAt(2);
        assertThat(position).isInstanceOfSatisfying(KeysetScrollPosition.class, keyset -> {
            assertThat(keyset.scrollsForward()).isTrue();
            assertThat(keyset.getKeys()).isEqualTo(Map.of(SluiceWindows.TOKEN, "tok_en"));
        });
        assertThat(SluiceWindows.token(position)).isEqualTo("tok_en");
        assertThat(window.positionAt("c")).isEqualTo(position);
    }

    @Test
    void onlyTheLastRowOfAWindowWithANextHasAPosition() {
        Window<String> window = SluiceWindows.window(new KeysetPage<>(List.of("a", "b", "c"), "tok_en"));
        assertThat(window.hasPosition(2)).isTrue();
        assertThat(window.hasPosition(0)).isFalse();
        assertThatThrownBy(() -> window.positionAt(1)).isInstanceOf(IllegalStateException.class)
                .hasMessage("positionAt(1): a Sluice window has a position only after its last row (2), and only "
                        + "when rows follow it (hasNext() is true); continue from positionAt(size() - 1) while "
                        + "hasNext()");
        Window<String> last = SluiceWindows.window(new KeysetPage<>(List.of("a", "b"), null));
        assertThat(last.hasNext()).isFalse();
        assertThat(last.isLast()).isTrue();
        assertThat(last.hasPosition(1)).isFalse();
        assertThat(SluiceWindows.window(new KeysetPage<>(List.<String>of(), null)).isEmpty()).isTrue();
    }

    @Test
    void anInitialPositionIsTheFirstPage() {
        assertThat(SluiceWindows.token(ScrollPosition.keyset())).isNull();
        assertThat(SluiceWindows.token(ScrollPosition.offset())).isNull();
    }

    @Test
    void positionsSluiceCannotContinueFromAreRefusedWithWhatToPassInstead() {
        assertThatThrownBy(() -> SluiceWindows.token(ScrollPosition.offset(20)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith(": Sluice pages by keyset, not by offset; start with ScrollPosition.keyset() "
                        + "and continue from a window's positionAt(size() - 1)");
        assertThatThrownBy(() -> SluiceWindows.token(ScrollPosition.backward(Map.of(SluiceWindows.TOKEN, "t"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith(": Sluice pages scroll forward only; to read backward, query in the reverse "
                        + "order (orderBy(\"... desc\")) and continue forward");
        assertThatThrownBy(() -> SluiceWindows.token(ScrollPosition.forward(Map.of("id", 7L))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith(": not a position of a Sluice window (its one key is 'sluice.token', a resume "
                        + "token); to continue after a row's values, use afterValues(..) on the query");
    }

    @BeforeAll
    static void events() {
        // times repeat every 10 rows, so the order is made unique by the key: (at, id)
        TestDatabase.get().execute("CREATE TABLE spring_window_event (id bigint PRIMARY KEY, at timestamptz NOT NULL, "
                        + "name text NOT NULL)",
                "INSERT INTO spring_window_event SELECT i, timestamptz '2026-01-01 00:00:00+00' + (i % 10) * "
                        + "interval '1 hour', 'event ' || i FROM generate_series(1, " + ROWS + ") i",
                "CREATE INDEX ON spring_window_event (at, id)");
    }

    @AfterAll
    static void drop() {
        TestDatabase.get().execute("DROP TABLE spring_window_event");
    }

    @Test
    void springDatasWindowIteratorScrollsAQueryInItsOrderThroughSluicePages() {
        List<Long> expected = new ArrayList<>();
        for (String id : TestDatabase.get().queryString(
                "SELECT string_agg(id::text, ',' ORDER BY at, id) FROM spring_window_event").split(",")) {
            expected.add(Long.valueOf(id));
        }
        try (R2dbcRepo repo = R2dbcRepo.create(TestDatabase.get().r2dbcUrl())) {
            Query<Event> byTime = repo.select(Event.class).orderBy("at");
            List<Long> read = new ArrayList<>();
            int[] windows = {0};
            WindowIterator.of((ScrollPosition position) -> {
                windows[0]++;
                return SluiceWindows.window(byTime, 50, position).block(TIMEOUT);
            }).startingAt(ScrollPosition.keyset()).forEachRemaining(event -> read.add(event.id()));
            assertThat(read).isEqualTo(expected);
            assertThat(windows[0]).as("windows of 50 for %d rows, none empty", ROWS).isEqualTo(6);

            // a position of another query is refused before any SQL: the token is bound to its query
            Window<Event> first = SluiceWindows.window(byTime, 50, ScrollPosition.keyset()).block(TIMEOUT);
            ScrollPosition after = first.positionAt(first.size() - 1);
            assertThatThrownBy(() -> SluiceWindows.window(repo.select(Event.class).orderBy("name"), 50, after)
                    .block(TIMEOUT)).isInstanceOf(QueryException.class).hasMessageContaining("token was refused");
        }
    }
}
