/**
 * The README's relationship example: albums, photos and tags.
 */
@NullMarked
package dev.sluice.examples.gallery;

import org.jspecify.annotations.NullMarked;
