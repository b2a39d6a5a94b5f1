package dev.sluice.examples.spring;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;

/** A photo of an album. */
@Table("photo")
public record Photo(@Id Long id, Long albumId, String caption) {
}
