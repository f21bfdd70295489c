"""The inference engines of the PaddleClas page on this host, behind one predictor interface.

- paddle-lite: the x86 `.nb` on Paddle Lite (lite.runtime.host_predictor), the toolkit's own path;
- paddle-inference / paddle-inference-mkldnn: the exported `inference.pdmodel` on Paddle Inference
  (`paddle.inference`, the server engine), oneDNN off / on;
- onnxruntime: the Paddle2ONNX `.onnx` on ONNX Runtime's CPU execution provider, graph optimizations on.

Each predictor has what lite.runtime.bench_program.time_runs needs (`set_input`, `run_ms`, `output`,
`infer`, `init_ms`, `math_threads`: the threads its library says it uses). Libraries are imported when an
engine is opened, never at import time: Paddle and Paddle Lite in one process abort on an OpenMP clash, so
each cell process holds one engine only.
"""
import importlib
import time
from pathlib import Path

import numpy as np

from lite.errors import ModelFileError, ToolkitError
from lite.models.engines import ENGINES, PACKAGES
from lite.runtime.host_predictor import HostPredictor


def import_engine(engine):
    """The engine's library module; a one-line ToolkitError naming the package when it is missing."""
    module, package, version = PACKAGES[engine]
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ToolkitError(f"the {engine} engine needs the {package} package ({exc}); install it with: "
                           f"pip install {package}=={version}") from None


class _Timed:
    """set_input / run_ms / output / infer over a `_run()` that runs the model on `self._input`."""
    init_ms = None
    math_threads = None

    def set_input(self, array):
        self._input = np.ascontiguousarray(array, dtype="float32")
        self._feed(self._input)

    def _feed(self, array):
        pass

    def run_ms(self):
        started = time.perf_counter()
        self._run()
        return (time.perf_counter() - started) * 1e3

    def output(self):
        return np.array(self._output, copy=True)

    def infer(self, array):
        self.set_input(array)
        self.run_ms()
        return self.output()


class PaddleInferencePredictor(_Timed):
    """Paddle Inference on the CPU with `threads` math threads, oneDNN (MKLDNN) on or off."""

    def __init__(self, model_file, params_file, threads=1, mkldnn=False):
        inference = import_engine("paddle-inference-mkldnn" if mkldnn else "paddle-inference")
        config = inference.Config(str(model_file), str(params_file))
        config.disable_gpu()
        config.set_cpu_math_library_num_threads(int(threads))
        if mkldnn:
            config.enable_mkldnn()
        else:
            config.disable_mkldnn()
        config.disable_glog_info()
        started = time.perf_counter()
        self._predictor = inference.create_predictor(config)
        self.init_ms = (time.perf_counter() - started) * 1e3
        self.math_threads = int(config.cpu_math_library_num_threads())
        self.mkldnn = bool(config.mkldnn_enabled())
        self._in = self._predictor.get_input_handle(self._predictor.get_input_names()[0])
        self._out = self._predictor.get_output_handle(self._predictor.get_output_names()[0])

    def _feed(self, array):
        self._in.reshape(list(array.shape))
        self._in.copy_from_cpu(array)

    def _run(self):
        self._predictor.run()
        self._output = self._out.copy_to_cpu()


class OnnxRuntimePredictor(_Timed):
    """ONNX Runtime's CPU execution provider, `threads` intra-op threads, one inter-op thread."""

    def __init__(self, onnx_file, threads=1):
        ort = import_engine("onnxruntime")
        options = ort.SessionOptions()
        options.intra_op_num_threads = int(threads)
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        started = time.perf_counter()
        self._session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
        self.init_ms = (time.perf_counter() - started) * 1e3
        self.math_threads = int(self._session.get_session_options().intra_op_num_threads)
        self._input_name = self._session.get_inputs()[0].name

    def _run(self):
        self._output = self._session.run(None, {self._input_name: self._input})[0]


def open_predictor(engine, model_path, threads=1):
    """A loaded predictor of `engine` for its model file (a `.nb`, the export's `inference.pdiparams`, or an
    `.onnx`); failures to load are ModelFileError or ToolkitError, one line each."""
    if engine not in ENGINES:
        raise ToolkitError(f"unknown engine '{engine}'; engines: {', '.join(ENGINES)}")
    if engine == "paddle-lite":
        return HostPredictor(model_path, threads)
    model_path = Path(model_path)
    try:
        if engine == "onnxruntime":
            return OnnxRuntimePredictor(model_path, threads)
        return PaddleInferencePredictor(model_path.with_suffix(".pdmodel"), model_path.with_suffix(".pdiparams"),
                                        threads, mkldnn=engine == "paddle-inference-mkldnn")
    except ToolkitError:
        raise
    except Exception as exc:  # the libraries raise their own types for a file they cannot load
        raise ModelFileError(f"{engine} could not load {model_path}: {str(exc).strip().splitlines()[0][:300]}") \
            from None
