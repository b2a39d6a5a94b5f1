package dev.sluice.examples;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.sluice.ConnectionLostException;
import dev.sluice.KeysetPage;
import dev.sluice.Partition;
import dev.sluice.Repo;
import dev.sluice.annotation.Deferred;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.examples.gallery.Album;
import dev.sluice.examples.gallery.Photo;
import dev.sluice.r2dbc.Masking;
import dev.sluice.r2dbc.R2dbcRepo;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The README's code, compiled here and run against PostgreSQL by the conformance suite, so the README cannot drift
 * from the API. Each method is one README snippet.
 */
public final class ReadmeExamples {

    private ReadmeExamples() {
    }

    /** The picture archive with its 1 KiB of data deferred: listing pictures does not haul the images. */
    @Table("picture")
    public record PictureInfo(@Id Long id, byte[] sha1, String name, Instant takenAt, int sizeBytes,
                              @Deferred byte @Nullable [] data) {
    }

    /** A projection: some of Picture's columns. */
    public record PictureSummary(Long id, String name, Instant takenAt) {
    }

    /** A row of a join: photos with their album's title. */
    public record PhotoRow(long id, String caption, String title) {
    }

    /** Any SQL, mapped by column name. */
    public record DailyCount(java.time.LocalDate day, long pictures) {
    }

    // --- quick start ------------------------------------------------------------------------------------------

    public static Flux<Picture> scanAll(Repo repo) {
        return repo.scan(Picture.class).limitRate(500);
    }

    public static Flux<Picture> recent(Repo repo, Instant since) {
        return repo.select(Picture.class)
                .where("taken_at >= ? and size_bytes > ?", since, 1024)
                .orderBy("taken_at desc")
                .flux();
    }

    public static Mono<Picture> byId(Repo repo) {
        return repo.findById(Picture.class, 42L);
    }

    public static Mono<Long> countImg(Repo repo) {
        return repo.select(Picture.class).where("name like ?", "IMG%").count();
    }

    // --- metrics, traces and statement logs ---------------------------------------------------------------------

    public static R2dbcRepo observed(String url, ObservationRegistry registry) {
        return R2dbcRepo.builder(url)
                .observationRegistry(registry)        // sluice.stream and sluice.statement observations
                .logStatements(Masking.TYPES)         // every statement at INFO, values as types and sizes
                .build();
    }

    // --- mapping ----------------------------------------------------------------------------------------------

    /** A value object, stored as numeric through a converter. */
    public record Money(java.math.BigDecimal amount) {
    }

    /** Stored in a PostgreSQL enum column ({@code CREATE TYPE invoice_status AS ENUM ('OPEN', 'PAID')}). */
    public enum Status { OPEN, PAID }

    @Table("invoice")
    public record Invoice(@Id Long id, Status status, Money total, Duration terms,
                          @dev.sluice.annotation.Version long version) {
    }

    public static dev.sluice.r2dbc.R2dbcRepo invoices(String url) {
        return dev.sluice.r2dbc.R2dbcRepo.builder(url)
                .converter(Money.class, java.math.BigDecimal.class, Money::new, Money::amount)
                .build();
    }

    /** Marks the open invoices over 10.00 paid: one UPDATE per batch, each row only if its version is unchanged. */
    public static Flux<Invoice> payLarge(Repo repo) {
        return repo.updateAll(repo.select(Invoice.class)
                .where("status = ? and total > ?", Status.OPEN, new Money(new java.math.BigDecimal("10.00")))
                .flux()
                .map(i -> new Invoice(i.id(), Status.PAID, i.total(), i.terms(), i.version())));
    }

    // --- timeouts ---------------------------------------------------------------------------------------------

    public static Flux<Picture> largeWithin5s(Repo repo) {
        return repo.select(Picture.class).where("size_bytes > ?", 1024).timeout(Duration.ofSeconds(5)).flux();
    }

    // --- lost connections -------------------------------------------------------------------------------------

    public static R2dbcRepo patientRepo(String url) {
        return R2dbcRepo.builder(url).retries(10).retryBackoff(Duration.ofMillis(500)).build();
    }

    public static Flux<Picture> scanGoingOnAfterALoss(Repo repo) {
        return repo.scan(Picture.class).onErrorResume(ConnectionLostException.class, lost -> lost.resumeAfter()
                .isEmpty() ? Flux.error(lost)
                : repo.select(Picture.class).where("id > ?", lost.resumeAfter().get(0)).flux());
    }

    // --- relationships ----------------------------------------------------------------------------------------

    public static Flux<Album> albumsWithPhotosAndTags(Repo repo) {
        return repo.select(Album.class).with("photos", "photos.tags").flux();
    }

    public static Flux<Photo> beachPhotosWithAlbum(Repo repo) {
        return repo.select(Photo.class).where("caption like ?", "%beach%").with("album").flux();
    }

    // --- deferred columns, projections, plain SQL -------------------------------------------------------------

    public static Flux<PictureInfo> hashesOnly(Repo repo) {
        return repo.scan(PictureInfo.class); // data stays on the server: it is null here
    }

    public static Mono<PictureInfo> withData(Repo repo, PictureInfo picture) {
        return repo.load(picture, "data"); // one query; loadAll(flux, "data") batches per window
    }

    public static Flux<PictureSummary> summaries(Repo repo) {
        return repo.select(Picture.class).orderBy("id desc").as(PictureSummary.class).flux();
    }

    public static Flux<DailyCount> perDay(Repo repo, int year) {
        return repo.query(DailyCount.class,
                "select taken_at::date as day, count(*) as pictures from picture"
                        + " where extract(year from taken_at) = ? group by 1 order by 1", year);
    }

    // --- paging a REST API ----------------------------------------------------------------------------------------

    public static Flux<Picture> continueAfter(Repo repo, Picture last) {
        return repo.select(Picture.class).orderBy("taken_at").after(last).flux(); // the rows after it, in that order
    }

    public static Mono<KeysetPage<Picture>> page(Repo repo, @Nullable String token) {
        return repo.select(Picture.class).orderBy("taken_at").page(100, token); // token null: the first page
    }

    public static Flux<PhotoRow> photosWithTitles(Repo repo) {
        return repo.sql(PhotoRow.class, "select p.id, p.caption, a.title from photo p join album a on a.id = p.album_id"
                + " where a.title like ?", "album%").keysetBy("id").flux(); // pages on p.id, nothing held between
    }

    // --- partitioned scans ------------------------------------------------------------------------------------

    /** The coordinator: splits once, hands one token to each worker (a message, a job argument, a URL). */
    public static Mono<List<String>> splitForWorkers(Repo repo) {
        return repo.select(Picture.class).partitions(8)
                .map(partitions -> partitions.stream().map(Partition::token).toList());
    }

    /** A worker, in any process: the same query, within its token's key range. */
    public static Flux<Picture> worker(Repo repo, String token) {
        return repo.select(Picture.class).partition(token).flux();
    }

    /** One process, four partitions at once, each on its own connections; rows arrive in no particular order. */
    public static Flux<Picture> fourAtOnce(Repo repo) {
        return repo.select(Picture.class).parallel(4);
    }

    // --- read replicas ----------------------------------------------------------------------------------------

    /** A repository that reads from two streaming replicas and writes to the primary. */
    public static R2dbcRepo withReplicas(String primaryUrl, String replica1Url, String replica2Url) {
        return R2dbcRepo.builder(primaryUrl)
                .readReplicas(replica1Url, replica2Url)
                .maxReplicaLagBytes(16 * 1024 * 1024)     // default 16 MiB of WAL behind the primary
                .maxReplicaLag(Duration.ofSeconds(5))      // default 5 s behind, measured by WAL position
                .build();
    }

    /** Read your own write: the insert went to the primary, and so does this read. */
    public static <T> Mono<T> readYourOwnWrite(Repo repo, Class<T> type, Object id) {
        return repo.select(type).onPrimary().findById(id);
    }
}
