package dev.sluice.spring.hints;

import java.util.List;

import dev.sluice.annotation.HasMany;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.spring.hintsother.Photo;

/** An entity of the scanned package whose relation's records live in another package. */
@Table("album")
public record Album(@Id Long id, String title, Mood mood,
                    @HasMany(foreignKey = "album_id") List<Photo> photos) {

    /** An enum component. */
    public enum Mood { CALM, BRIGHT }

    /** Not a record: not registered. */
    public static final class Helper {
    }
}
