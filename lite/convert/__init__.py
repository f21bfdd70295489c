"""Paddle export -> paddle_lite_opt -> checked .nb files."""
