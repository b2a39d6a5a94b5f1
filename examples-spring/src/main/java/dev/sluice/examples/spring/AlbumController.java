package dev.sluice.examples.spring;

import java.util.List;

import dev.sluice.Query;
import dev.sluice.Repo;
import org.springframework.dao.InvalidDataAccessApiUsageException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

@RestController
public class AlbumController {

    private final Repo repo;

    public AlbumController(Repo repo) {
        this.repo = repo;
    }

    /** Albums as NDJSON; {@code ?with=photos} loads each window's photos in one query, as the albums stream. */
    @GetMapping(path = "/albums", produces = MediaType.APPLICATION_NDJSON_VALUE)
    public Flux<Album> albums(@RequestParam(name = "with", required = false) List<String> with) {
        Query<Album> albums = repo.select(Album.class);
        if (with != null && !with.isEmpty()) {
            albums = albums.with(with.toArray(String[]::new));
        }
        return albums.flux();
    }

    /**
     * A bad query (an unknown relation in {@code with}) is the client's mistake: 400, with Sluice's message. The
     * starter turns Sluice's {@code QueryException} into Spring's {@link InvalidDataAccessApiUsageException}.
     */
    @ExceptionHandler(InvalidDataAccessApiUsageException.class)
    public ResponseEntity<String> badQuery(InvalidDataAccessApiUsageException e) {
        return ResponseEntity.status(HttpStatus.BAD_REQUEST).contentType(MediaType.TEXT_PLAIN).body(e.getMessage());
    }
}
