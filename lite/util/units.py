"""Size units, named once."""
MIB = 1024 * 1024
MB = 1000 * 1000
