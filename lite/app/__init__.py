"""Preparing, building and installing the Android demo app."""
