"""Accuracy evaluation: cached preprocessing, runtimes (host, ARM under qemu, a phone), Top-1 / Top-5 (bench layer).
The labelled image sets themselves are read by lite.models.image_sets (calibration reads them too)."""
