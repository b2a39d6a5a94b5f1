package dev.sluice.examples.gallery;

import java.util.List;

import dev.sluice.annotation.BelongsTo;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.ManyToMany;
import dev.sluice.annotation.Table;
import org.jspecify.annotations.Nullable;

/** A photo: its album's key as a plain component, and the album and tags as relations. */
@Table("photo")
public record Photo(@Id Long id, @Nullable Long albumId, String caption,
                    @BelongsTo(foreignKey = "album_id") @Nullable Album album,
                    @ManyToMany(joinTable = "photo_tag", joinColumn = "photo_id", inverseJoinColumn = "tag_id",
                            orderBy = "name") @Nullable List<Tag> tags) {
}
