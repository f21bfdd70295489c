"""MobileNetV1 on-device toolkit: model family, export, Paddle Lite conversion, host runtime."""
