"""Paddle Lite in this process: the x86 predictor and the child-process entry points."""
