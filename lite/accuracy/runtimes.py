"""Where a variant is evaluated. Each runtime takes the prepared inputs ((index, tensor) in order) and
returns its answers for them: logits (N x classes) where it has them, else the top-5 class indices.
Every runtime's `run(nb_path, inputs, say, variant_library)`; `variant_library` says which Paddle Lite
build the variant needs (fp16 needs the FP16 one), which only the ARM runtime has a choice of.

host   FP32 on this host's real Paddle Lite x86 runtime, one input at a time, in this process
arm    Paddle Lite's real ARM kernels under qemu-aarch64 (mnv1_bench --input_file, a batch of inputs per
       process, `jobs` processes at once): int8 / int16 / fp16, and fp32 when asked; slow, no speed figure
device a phone through the device layer: the preprocessed inputs are pushed once, one mnv1_classify
       process (batch mode, --inputs) classifies all of them, and its answers are pulled back
"""
import json
import shlex
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path

import numpy as np

from lite.errors import CellFailed, ToolkitError
from lite.util.text import last_line
from lite.util.units import MIB


class HostRuntime:
    name = "host-x86"
    about = "Paddle Lite x86 runtime on this host"
    target = "x86"  # which converted models it runs
    gives_logits = True

    def __init__(self, threads=1):
        self.threads = threads

    def run(self, nb_path, inputs, say=print, variant_library="fp32"):
        from lite.runtime.host_predictor import HostPredictor
        predictor = HostPredictor(nb_path, self.threads)
        return np.stack([predictor.infer(tensor).reshape(-1) for _index, tensor in inputs])


class EngineRuntime:
    """Another engine of this host (lite.models.engines) on its FP32 file, in a child process per batch of
    inputs (Paddle and Paddle Lite cannot share a process); logits, one input at a time."""
    target = "fp32"
    gives_logits = True

    def __init__(self, engine, threads=1, batch=256, timeout_s=1800):
        self.engine, self.threads, self.batch, self.timeout_s = engine, threads, batch, timeout_s
        self.name = f"host-{engine}"
        self.about = f"{engine} on this host (x86)"

    def run(self, nb_path, inputs, say=print, variant_library="fp32"):
        stream, answers = iter(inputs), []
        with tempfile.TemporaryDirectory(prefix="mnv1-engine-") as scratch:
            while True:
                chunk = [tensor for _index, tensor in islice(stream, self.batch)]
                if not chunk:
                    break
                inputs_npy, out_npy = Path(scratch) / "inputs.npy", Path(scratch) / "logits.npy"
                np.save(inputs_npy, np.stack(chunk), allow_pickle=False)
                done = subprocess.run([sys.executable, "-m", "lite.runtime.engine_logits", self.engine, str(nb_path),
                                       str(self.threads), str(inputs_npy), str(out_npy)], capture_output=True,
                                      text=True, timeout=self.timeout_s)
                if done.returncode != 0:
                    raise CellFailed(f"{self.engine}: {last_line(done.stderr, f'exit status {done.returncode}')}")
                answers.append(np.load(out_npy, allow_pickle=False))
        return np.concatenate(answers) if answers else np.zeros((0, 0), dtype="float32")


class ArmQemuRuntime:
    name = "arm-qemu"
    target = "arm"
    gives_logits = True

    def __init__(self, libraries, cpu, batch=16, jobs=2, progress_every_s=10.0):
        self.libraries, self.cpu, self.batch, self.jobs = libraries, cpu, batch, jobs
        self.progress_every_s = progress_every_s
        self.about = f"Paddle Lite's ARM kernels under qemu-aarch64 -cpu {cpu} (real arithmetic, no speed figure)"

    def library_for(self, variant_library):
        library = self.libraries.get(variant_library)
        if library is None:
            raise ToolkitError("fp16 models need Paddle Lite's FP16 ARM library: pass --fp16-lite-dir")
        return library

    def run(self, nb_path, inputs, say=print, variant_library="fp32"):
        from lite.accuracy.evaluate import eta_text
        from lite.runtime.arm_check import run_on_arm
        library = self.library_for(variant_library)
        tensors = np.concatenate([tensor for _index, tensor in inputs])
        chunks = [tensors[start:start + self.batch] for start in range(0, len(tensors), self.batch)]
        outputs, done, started, last = [None] * len(chunks), 0, time.monotonic(), time.monotonic()

        def one(position):
            return position, run_on_arm(library, nb_path, chunks[position], self.cpu)

        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            for position, logits in pool.map(one, range(len(chunks))):
                outputs[position] = logits
                done += len(logits)
                if time.monotonic() - last >= self.progress_every_s or done == len(tensors):
                    last = time.monotonic()
                    say(f"    {Path(nb_path).name} on ARM kernels: "
                        f"{eta_text(done, len(tensors), time.monotonic() - started)}")
        return np.concatenate(outputs)


def parse_batch_output(text, expected_inputs):
    """{input path: (top-k indices or None, error or None)} from mnv1_classify's batch lines (pure); a line
    that is not JSON or an input never answered is an error."""
    answers = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise CellFailed(f"mnv1_classify wrote a line that is not JSON: {line[:120]}") from None
        answers[record.get("input")] = (record.get("topk"), record.get("error"))
    missing = [path for path in expected_inputs if path not in answers]
    if missing:
        raise CellFailed(f"mnv1_classify gave no answer for {len(missing)} input(s), first {missing[0]}")
    return answers


class DeviceRuntime:
    """A phone: inputs pushed once (only those not on it already), one mnv1_classify process per model."""
    name = "device"
    gives_logits = False

    def __init__(self, device, workdir, build_dir, threads=1, power_mode="high", settings_key="inputs",
                 timeout_s=3600, target="arm"):
        self.device, self.workdir, self.build_dir = device, workdir.rstrip("/"), Path(build_dir)
        self.target = target  # the converted models its ABI runs (lite.devices.facts.model_target_for)
        self.threads, self.power_mode, self.timeout_s = threads, power_mode, timeout_s
        self.inputs_dir = f"{self.workdir}/accuracy/{settings_key}"
        self.about = f"mnv1_classify (batch mode) on {device.description}"
        self._pushed = None

    def _push_inputs(self, inputs, say):
        """Write the tensors as raw float32 files and push them once; their device paths by index."""
        from lite.devices.sync import sync_files
        if self._pushed is not None:
            return self._pushed
        self._scratch = tempfile.TemporaryDirectory(prefix="accuracy-inputs-")
        files, paths = {}, {}
        for index, tensor in inputs:
            local = Path(self._scratch.name) / f"{index:07d}.f32"
            np.ascontiguousarray(tensor, dtype="<f4").tofile(local)
            paths[index] = f"{self.inputs_dir}/{local.name}"
            files[paths[index]] = local
        program = self.build_dir / "bin" / "mnv1_classify"
        if not program.is_file():
            raise ToolkitError(f"no mnv1_classify in {self.build_dir / 'bin'}: build cxx_demo for the device's ABI")
        files[f"{self.workdir}/bin/mnv1_classify"] = program
        for lib in sorted(p for p in (self.build_dir / "lib").glob("*.so*") if p.is_file()):
            files[f"{self.workdir}/lib/{lib.name}"] = lib
        total = sum(Path(p).stat().st_size for p in files.values())
        say(f"  pushing {len(paths)} preprocessed inputs and mnv1_classify ({total / MIB:.1f} MiB, only what changed)")
        sync_files(self.device, files, [f"{self.workdir}/bin/mnv1_classify"], say=lambda text: None)
        self._pushed = paths
        return paths

    def classify_command(self, remote_model, list_file, output_file):
        """The one device command of a model's evaluation; every path quoted (pure)."""
        q = shlex.quote
        return (f"cd {q(self.workdir)} && LD_LIBRARY_PATH={q(self.workdir + '/lib')} "
                f"{q(self.workdir + '/bin/mnv1_classify')} --model {q(remote_model)} --inputs {q(list_file)} "
                f"--output {q(output_file)} --topk 5 --threads {int(self.threads)} --power_mode {q(self.power_mode)}")

    def run(self, nb_path, inputs, say=print, variant_library=None):
        from lite.devices.sync import sync_files
        inputs = list(inputs)
        paths = self._push_inputs(inputs, say)
        remote_model = f"{self.workdir}/models/{Path(nb_path).name}"
        sync_files(self.device, {remote_model: Path(nb_path)}, say=lambda text: None)
        wanted = [paths[index] for index, _ in inputs]
        list_file, output_file = f"{self.inputs_dir}/list.txt", f"{self.inputs_dir}/answers.jsonl"
        with tempfile.TemporaryDirectory() as scratch:
            local_list = Path(scratch) / "list.txt"
            local_list.write_text("\n".join(wanted) + "\n")
            self.device.push(local_list, list_file)
            command = self.classify_command(remote_model, list_file, output_file)
            say(f"    one mnv1_classify process over {len(wanted)} inputs on the device ...")
            self.device.check(command, timeout_s=self.timeout_s, what="mnv1_classify --inputs")
            local_answers = Path(scratch) / "answers.jsonl"
            self.device.pull(output_file, local_answers)
            answers = parse_batch_output(local_answers.read_text(), wanted)
        bad = [(path, error) for path, (_topk, error) in answers.items() if error]
        if bad:
            raise CellFailed(f"mnv1_classify could not read {len(bad)} pushed input(s): {bad[0][1]}")
        return np.array([answers[path][0] for path in wanted], dtype=np.int64)
