"""The MobileNetV1 family as data (registry.py, family.json) and what is built from it."""
