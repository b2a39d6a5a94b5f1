package dev.sluice.examples.gallery;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;

/** A tag on photos. */
@Table("tag")
public record Tag(@Id Long id, String name) {
}
