"""The inference engines the toolkit measures on a host, and which converted file each one runs (data).

paddle-lite               the x86 `.nb` (models/x86/), the toolkit's own path and the default
paddle-inference          the Paddle export (models/paddle/<Name>/inference.pdmodel + .pdiparams), oneDNN off
paddle-inference-mkldnn   the same, oneDNN (MKLDNN) on
onnxruntime               the Paddle2ONNX file (models/onnx/<Name>.onnx), ONNX Runtime's CPU provider
"""
ENGINES = ("paddle-lite", "paddle-inference", "paddle-inference-mkldnn", "onnxruntime")
DEFAULT_ENGINE = "paddle-lite"
# engine -> the store's kind of file it runs: a Paddle Lite target, the Paddle export, or the onnx target
MODEL_KIND = {"paddle-lite": "x86", "paddle-inference": "paddle", "paddle-inference-mkldnn": "paddle",
              "onnxruntime": "onnx"}
# engine -> (module to import, pip package that brings it, the version requirements.txt pins)
PACKAGES = {"paddle-lite": ("paddlelite.lite", "paddlelite", "2.13rc0"),
            "paddle-inference": ("paddle.inference", "paddlepaddle", "2.6.2"),
            "paddle-inference-mkldnn": ("paddle.inference", "paddlepaddle", "2.6.2"),
            "onnxruntime": ("onnxruntime", "onnxruntime", "1.19.2")}


def engine_tag(engine):
    """'' for the default engine, else '__<engine>': what a cell's file name adds for another engine."""
    return "" if engine == DEFAULT_ENGINE else f"__{engine}"
