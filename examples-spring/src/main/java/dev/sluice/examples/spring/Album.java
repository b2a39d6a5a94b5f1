package dev.sluice.examples.spring;

import java.util.List;

import dev.sluice.annotation.HasMany;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import org.jspecify.annotations.Nullable;

/** An album; its photos are loaded only when asked for ({@code ?with=photos}), otherwise null. */
@Table("album")
public record Album(@Id Long id, String title,
                    @HasMany(foreignKey = "album_id", orderBy = "id") @Nullable List<Photo> photos) {
}
