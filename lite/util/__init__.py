"""Small helpers with no project knowledge: atomic files, checksums, text, units."""
