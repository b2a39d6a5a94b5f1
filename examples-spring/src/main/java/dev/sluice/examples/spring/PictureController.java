package dev.sluice.examples.spring;

import dev.sluice.Repo;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Pictures over HTTP as newline-delimited JSON, streamed both ways.
 *
 * <p>{@code GET /pictures} streams the whole table in keyset pages: the client's reading pace is the database's
 * fetching pace (WebFlux asks for rows as the socket drains, Sluice fetches pages for what was asked), and no
 * connection is held between pages, so many slow clients share a small pool. {@code GET /pictures/by-time} orders
 * by a column that is not unique: Sluice pages it by keyset too, on {@code (taken_at, id)}.
 * {@code GET /pictures/by-time/snapshot} reads one consistent snapshot through a server-side cursor, which holds
 * one pooled connection per open stream until it ends: only for streams that must not see concurrent commits.
 */
@RestController
public class PictureController {

    private final Repo repo;
    private final PictureImport pictureImport;

    public PictureController(Repo repo, PictureImport pictureImport) {
        this.repo = repo;
        this.pictureImport = pictureImport;
    }

    @GetMapping(path = "/pictures", produces = MediaType.APPLICATION_NDJSON_VALUE)
    public Flux<Picture> pictures() {
        return repo.scan(Picture.class);
    }

    @GetMapping(path = "/pictures/by-time", produces = MediaType.APPLICATION_NDJSON_VALUE)
    public Flux<Picture> picturesByTime() {
        return repo.select(Picture.class).orderBy("taken_at").flux();
    }

    @GetMapping(path = "/pictures/by-time/snapshot", produces = MediaType.APPLICATION_NDJSON_VALUE)
    public Flux<Picture> picturesByTimeInOneSnapshot() {
        return repo.select(Picture.class).orderBy("taken_at").inOneSnapshot().flux();
    }

    /** Loads an NDJSON body of pictures, all or nothing; answers with the number of rows written. */
    @PostMapping(path = "/pictures", consumes = MediaType.APPLICATION_NDJSON_VALUE)
    public Mono<Loaded> load(@RequestBody Flux<Picture> pictures) {
        return pictureImport.importAll(pictures).map(Loaded::new);
    }

    /** The answer to a load. */
    public record Loaded(long rows) {
    }
}
