"""Accuracy evaluation: labelled image sets, cached preprocessing, runtimes, Top-1 / Top-5 (bench layer)."""
