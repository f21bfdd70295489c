"""The benchmark engine: cells, runners, the sweep, result files, statistics, output parsers."""
