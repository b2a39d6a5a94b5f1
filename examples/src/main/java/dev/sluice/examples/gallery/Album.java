package dev.sluice.examples.gallery;

import java.util.List;

import dev.sluice.annotation.HasMany;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import org.jspecify.annotations.Nullable;

/** An album and, when a query asks for them, its photos. */
@Table("album")
public record Album(@Id Long id, String title,
                    @HasMany(foreignKey = "album_id", orderBy = "id") @Nullable List<Photo> photos) {
}
