package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import dev.sluice.QueryException;
import dev.sluice.annotation.BelongsTo;
import dev.sluice.annotation.HasMany;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.ManyToMany;
import dev.sluice.annotation.Table;
import dev.sluice.annotation.UniqueKey;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.testkit.PgWireRelay;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Relationships load as a second batched query per window of parents: results equal the SQL ground truth,
 * statements are counted on the wire, and back-pressure and cancel behave as for plain queries.
 */
class RelationSpec extends RelayedSpecBase {

    @Table("album")
    record Album(@Id Long id, String title, @HasMany(foreignKey = "album_id", orderBy = "id") List<Photo> photos) {
    }

    @Table("photo")
    record Photo(@Id Long id, Long albumId, String caption, @BelongsTo(foreignKey = "album_id") Album album,
                 @ManyToMany(joinTable = "photo_tag", joinColumn = "photo_id", inverseJoinColumn = "tag_id",
                         orderBy = "name") List<Tag> tags) {
    }

    @Table("tag")
    record Tag(@Id Long id, String name) {
    }

    /** The same albums, whose photos come through {@code slow_photo}: slow for albums 1 to 100 only. */
    @Table("album")
    record SlowAlbum(@Id Long id, @HasMany(foreignKey = "album_id", orderBy = "id") List<SlowPhoto> photos) {
    }

    @Table("slow_photo")
    @UniqueKey
    record SlowPhoto(@Id Long id, Long albumId) {
    }

    static final int ALBUMS = Fixtures.ALBUMS;

    RelationSpec() {
        super(100, 2000);
    }

    @BeforeAll
    static void tables() {
        Fixtures.gallery();
    }

    @Override
    void firstUse() {
        StepVerifier.create(repo.select(Album.class).with("photos.tags", "photos.album").limit(1).flux())
                .expectNextCount(1).verifyComplete();
    }

    private static String describe(Album a) {
        return a.id() + ":" + a.photos().stream().map(p -> p.id() + p.tags().stream().map(Tag::name)
                .collect(Collectors.joining(",", "[", "]"))).collect(Collectors.joining(" "));
    }

    @Test
    void everyAlbumGetsItsPhotosAndTheirTagsInOrderAsTheSqlGroundTruth() {
        String truth = Fixtures.queryString("SELECT string_agg(line, E'\\n' ORDER BY id) FROM ("
                + "SELECT a.id, a.id || ':' || coalesce((SELECT string_agg(p.id || '[' || coalesce((SELECT "
                + "string_agg(t.name, ',' ORDER BY t.name) FROM photo_tag j JOIN tag t ON t.id = j.tag_id "
                + "WHERE j.photo_id = p.id), '') || ']', ' ' ORDER BY p.id) FROM photo p WHERE p.album_id = a.id), '') "
                + "AS line FROM album a) lines");
        String loaded = repo.select(Album.class).with("photos", "photos.tags").flux().map(RelationSpec::describe)
                .collect(Collectors.joining("\n")).block(Duration.ofSeconds(60));
        assertThat(loaded).isEqualTo(truth);
        // windows of 500 albums: 4 windows x (albums + photos + tags), and the empty page that finds the end
        assertThat(selects()).isEqualTo(4 * 3 + 1);
        assertThat(statements).filteredOn(s -> s.startsWith("SELECT id, album_id, caption FROM photo"))
                .hasSize(4).allMatch(s -> s.contains("WHERE album_id = ANY($1)"));
    }

    @Test
    void withoutWithRelationsAreNullAndLoadedButEmptyTheyAreEmpty() {
        StepVerifier.create(repo.findById(Album.class, 7L))
                .assertNext(a -> assertThat(a.photos()).isNull())
                .verifyComplete();
        StepVerifier.create(repo.select(Album.class).with("photos").findById(7L))
                .assertNext(a -> assertThat(a.photos()).as("7 %% 7 = 0 photos").isEmpty())
                .verifyComplete();
        StepVerifier.create(repo.select(Album.class).with("photos").findById(6L))
                .assertNext(a -> assertThat(a.photos()).hasSize(6))
                .verifyComplete();
    }

    @Test
    void belongsToSharesOneInstancePerKeyWithinAWindowAndANullKeyGivesNull() {
        List<Photo> photos = repo.select(Photo.class).where("album_id <= ? or album_id is null", 20).with("album")
                .flux().collectList().block(Duration.ofSeconds(30));
        assertThat(photos).allSatisfy(p -> {
            if (p.albumId() == null) {
                assertThat(p.album()).isNull();
            } else {
                assertThat(p.album().id()).isEqualTo(p.albumId());
                assertThat(p.album().title()).isEqualTo("album " + p.albumId());
            }
        });
        Map<Long, List<Photo>> byAlbum = photos.stream().filter(p -> p.albumId() != null)
                .collect(Collectors.groupingBy(Photo::albumId));
        byAlbum.values().forEach(same -> assertThat(same).extracting(Photo::album).allMatch(a -> a == same.get(0).album()));
        assertThat(photos).filteredOn(p -> p.albumId() == null).hasSize(100);
    }

    @Test
    void demandBoundsParentsAndChildrenAlike() {
        tenRowsOnDemand(repo.select(Album.class).with("photos").flux())
                .then(() -> {
                    // one window of 100 albums and the photos of those 100 albums, nothing more
                    long photosOfFirst100 = Fixtures.db().queryLong(
                            "SELECT count(*) FROM photo WHERE album_id <= 100");
                    assertThat(relay.commandTags()).containsExactly("SELECT 100", "SELECT " + photosOfFirst100);
                    assertThat(relay.dataRows()).isEqualTo(100 + photosOfFirst100);
                })
                .thenCancel()
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void aSlowSubscriberGetsWindowsOfTheSmallestPageAndTheServerSendsOnlyTheirChildren() {
        // 10 albums at a time, slower than windows arrive: windows stay at minPageSize (100) albums, never grow to
        // relationBatchSize (500); the server sends the albums asked for plus the rest of one window, and exactly
        // the photos of the albums it sent: what the stream holds at once is one window's albums and their photos
        int rounds = 25;
        StepVerifier.Step<Album> steps = StepVerifier.create(repo.select(Album.class).with("photos").flux(), 0);
        for (int i = 0; i < rounds; i++) {
            steps = steps.thenRequest(10).expectNextCount(10).thenAwait(Duration.ofMillis(150));
        }
        steps.then(() -> {
            List<String> tags = relay.commandTags();
            List<String> albumPages = new ArrayList<>();
            for (int i = 0; i < tags.size(); i += 2) { // pool of one: each window's albums, then its photos
                albumPages.add(tags.get(i));
            }
            assertThat(albumPages).as("windows for %d albums asked 10 at a time: %s", rounds * 10, tags)
                    .hasSize(3).containsOnly("SELECT 100");
            long albumsSent = 300;
            long photos = Fixtures.db().queryLong("SELECT count(*) FROM photo WHERE album_id <= " + albumsSent);
            assertThat(relay.dataRows()).isEqualTo(albumsSent + photos);
        }).thenCancel().verify(Duration.ofMinutes(1));
    }

    @Test
    void aWindowAlreadyAskedForLoadsWhileTheWindowBeforeItIsStillLoading() {
        // the photos of albums 1-100 take ~2 ms a row to read; of the others, no time
        Fixtures.db().execute("CREATE OR REPLACE FUNCTION slow_row(album bigint) RETURNS boolean LANGUAGE plpgsql "
                        + "AS $$ BEGIN IF album <= 100 THEN PERFORM pg_sleep(0.002); END IF; RETURN true; END $$",
                "CREATE OR REPLACE VIEW slow_photo AS SELECT id, album_id FROM photo WHERE slow_row(album_id)");
        long firstWindow = Fixtures.db().queryLong("SELECT count(*) FROM photo WHERE album_id <= 100");
        long secondWindow = Fixtures.db().queryLong("SELECT count(*) FROM photo WHERE album_id BETWEEN 101 AND 200");
        PgWireRelay wire = Fixtures.relay();
        List<String> sent = new CopyOnWriteArrayList<>();
        try (R2dbcRepo three = Fixtures.repo(wire, 3, 100, 100, sent::add)) {
            StepVerifier.create(three.select(SlowAlbum.class).with("photos").flux(), 0)
                    .thenRequest(200) // two windows of 100
                    .assertNext(first -> {
                        assertThat(first.photos()).hasSize(1);
                        // window 2 (its albums, then its photos) completed while window 1's photos were read
                        assertThat(wire.commandTags()).containsSubsequence("SELECT 100", "SELECT 100",
                                "SELECT " + secondWindow, "SELECT " + firstWindow);
                    })
                    .expectNextCount(199)
                    .thenAwait(Duration.ofMillis(300))
                    // and nothing beyond the two windows asked for
                    .then(() -> {
                        assertThat(sent).filteredOn(s -> s.contains(" FROM album ")).hasSize(2);
                        assertThat(sent).filteredOn(s -> s.contains(" FROM slow_photo ")).hasSize(2);
                    })
                    .thenCancel()
                    .verify(Duration.ofSeconds(30));
        } finally {
            wire.close();
        }
    }

    @Test
    void cancelWhileChildQueriesRunLeavesAHealthyConnection() {
        // a pool of ONE: the cancelled stream's child queries must finish and give the connection back
        for (int n : new int[] {1, 99, 100, 101, 250, 777}) {
            StepVerifier.create(repo.select(Album.class).with("photos.tags", "photos.album").flux().take(n))
                    .expectNextCount(n).expectComplete().verify(Duration.ofSeconds(30));
        }
        StepVerifier.create(repo.select(Album.class).with("photos").orderBy("title").flux().take(150))
                .expectNextCount(150).expectComplete().verify(Duration.ofSeconds(30));
        StepVerifier.create(repo.select(Album.class).count()).expectNext((long) ALBUMS).expectComplete()
                .verify(Duration.ofSeconds(10));
        assertThat(Fixtures.sessionsInTransaction()).isZero();
    }

    @Test
    void inCursorModeChildQueriesRunBetweenFetchesInTheCursorsTransaction() {
        List<Album> albums = repo.select(Album.class).with("photos").orderBy("title desc").inOneSnapshot().flux().collectList()
                .block(Duration.ofSeconds(60));
        assertThat(albums).hasSize(ALBUMS);
        assertThat(albums.get(0).title()).isEqualTo("album 999");
        assertThat(albums).allSatisfy(a -> assertThat(a.photos()).hasSize((int) (a.id() % 7)));
        List<String> tags = relay.commandTags();
        assertThat(tags.get(0)).isEqualTo("BEGIN");
        assertThat(tags.get(tags.size() - 1)).isEqualTo("COMMIT");
        assertThat(tags).filteredOn(t -> t.startsWith("FETCH")).hasSize(5);
        // a FETCH, then the photos of those albums, then the next FETCH: never a statement behind an open result
        assertThat(tags.subList(2, 6)).satisfiesExactly(
                t -> assertThat(t).isEqualTo("FETCH 500"), t -> assertThat(t).startsWith("SELECT"),
                t -> assertThat(t).isEqualTo("FETCH 500"), t -> assertThat(t).startsWith("SELECT"));
    }

    @Test
    void pathsAreCheckedWhenTheQueryIsBuilt() {
        assertThatThrownBy(() -> repo.select(Album.class).with("fotos"))
                .isInstanceOf(QueryException.class)
                .hasMessage("with(\"fotos\"): Album has no relation 'fotos'; its relations are photos");
        assertThatThrownBy(() -> repo.select(Album.class).with("photos.tags.owner"))
                .isInstanceOf(QueryException.class)
                .hasMessage("with(\"photos.tags.owner\"): Tag has no relations; declare one with @HasMany, "
                        + "@BelongsTo or @ManyToMany");
    }

    @Test
    void loadAllLoadsRelationsLaterInOneQueryPerWindow() {
        List<Album> plain = repo.select(Album.class).where("id <= ?", 600).flux().collectList()
                .block(Duration.ofSeconds(30));
        relay.reset();
        List<Album> loaded = repo.loadAll(Flux.fromIterable(plain), "photos").collectList()
                .block(Duration.ofSeconds(30));
        assertThat(loaded).extracting(Album::id).containsExactlyElementsOf(plain.stream().map(Album::id).toList());
        assertThat(loaded).allSatisfy(a -> assertThat(a.photos()).hasSize((int) (a.id() % 7)));
        // 600 albums in windows of 500: 2 windows x (keys + photos)
        assertThat(selects()).isEqualTo(4);
        StepVerifier.create(repo.load(plain.get(5), "photos").map(a -> a.photos().size())).expectNext(6)
                .verifyComplete();
    }
}
