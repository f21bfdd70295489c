"""The evaluation job: Top-1 / Top-5 of the converted models and variants on a labelled image set, on this
host, on the real ARM kernels under qemu, or on a phone; then the accuracy table, and the latency and size
tables rebuilt so that they show the measured Top-1."""
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from lite.accuracy.evaluate import Job, evaluate
from lite.accuracy.inputs import DEFAULT_CACHE, InputCache, Settings
from lite.accuracy.runtimes import ArmQemuRuntime, DeviceRuntime, EngineRuntime, HostRuntime
from lite.devices.facts import cxx_build_target, model_target_for, read_device_facts
from lite.devices.select import open_device
from lite.errors import ToolkitError
from lite.jobs.device_sweep import result_folder
from lite.jobs.options import Connection
from lite.models.engines import DEFAULT_ENGINE, ENGINES, MODEL_KIND
from lite.models.image_sets import read_dataset
from lite.models.labels import parse_labels
from lite.models.model_file import calibration_text
from lite.models.registry import family, get_variant, select_models
from lite.models.store import ModelStore
from lite.report.accuracy import csv_row, write_accuracy
from lite.report.sizes import rewrite_size_markdown
from lite.report.writer import write_reports
from lite.runtime.arm_check import prepare_library
from lite.runtime.arm_library import FP16_CPU, default_lite_root, qemu_command
from lite.util.files import read_json, sha256_file

RUNTIMES = ("auto", "host", "arm", "device")


@dataclass(frozen=True)
class EvalOptions:
    data: Path
    list_file: str = None  # PaddleClas list file; None: DATA/val_list.txt if there
    allow_outside: bool = False
    labels: str = None
    models: tuple = None
    variants: tuple = ("fp32",)
    limit: int = None
    runtime: str = "auto"
    models_dir: Path = Path("models")
    results_root: Path = Path("results")
    name: str = None
    cache: Path = DEFAULT_CACHE  # None: keep nothing
    workers: int = 2
    threads: int = 1
    lite_dir: str = None
    fp16_lite_dir: str = None
    arm_cpu: str = FP16_CPU
    batch_files: int = 16
    jobs: int = 2
    build_dir: str = None
    device_dir: str = None
    connection: Connection = Connection()
    engines: tuple = None  # this host's engines (lite.models.engines), FP32; None: the runtime's own choice


@dataclass(frozen=True)
class EvalOutcome:
    """What an evaluation made: the files written, how many evaluations ran and failed, unreadable images."""
    paths: tuple
    evaluations: int
    failed: int
    unreadable: int


def arm_runtime(options):
    root = default_lite_root()
    lite_dir = options.lite_dir or (root / "inference_lite_lib.armlinux.armv8" if root else None)
    if not lite_dir:
        raise ToolkitError("int8, int16 and fp16 run on Paddle Lite's ARM kernels under qemu: pass --lite-dir "
                           "(the unpacked inference_lite_lib.armlinux.armv8 folder)")
    qemu_command(options.arm_cpu)
    libraries = {"fp32": prepare_library(lite_dir)}
    fp16_dir = options.fp16_lite_dir or (root / "fp16" / "inference_lite_lib.armlinux.armv8"
                                         if root and not options.lite_dir else None)
    if libraries["fp32"].fp16:
        libraries["fp16"] = libraries["fp32"]
    elif fp16_dir and Path(fp16_dir).is_dir():
        libraries["fp16"] = prepare_library(fp16_dir)
    return ArmQemuRuntime(libraries, options.arm_cpu, batch=options.batch_files, jobs=options.jobs)


def device_runtime(options, settings, stack):
    connection = options.connection
    device = stack.enter_context(open_device(connection.transport, connection.serial,
                                             connection.tcp[0] if connection.tcp else None,
                                             adb_server=connection.adb_server,
                                             command_timeout_s=connection.command_timeout_s))
    machine = read_device_facts(device)
    build = Path(options.build_dir or f"build/cxx_demo/{cxx_build_target(machine) or 'unknown'}")
    folder = result_folder(options.results_root, machine, options.name)
    return DeviceRuntime(device, options.device_dir or device.default_workdir, build, options.threads,
                         settings_key=settings.key(), target=model_target_for(machine.abi)), folder


def engine_jobs(options, store):
    """One FP32 job per model and engine on this host; Paddle Lite's first, so the others agree with it."""
    jobs = []
    for spec in select_models(options.models):
        for engine in sorted(options.engines, key=ENGINES.index):
            path = store.engine_file(engine, spec.name)
            if not path.is_file():
                kind = MODEL_KIND[engine]
                raise ToolkitError(f"no {engine} model {path}; make it with: "
                                   f"{store.remake_command(spec.name, 'onnx' if kind == 'onnx' else 'x86')}")
            manifest = (read_json(store.export_manifest(spec.name)) if MODEL_KIND[engine] == "paddle"
                        else read_json(store.nb_manifest(MODEL_KIND[engine], spec.name, "fp32"))) or {}
            runtime = HostRuntime(options.threads) if engine == DEFAULT_ENGINE else EngineRuntime(engine,
                                                                                                  options.threads)
            jobs.append(Job(spec.name, "fp32", runtime, path, manifest.get("weights_origin", "unknown"),
                            manifest.get("nb_sha256") or sha256_file(path)))
    return jobs


def make_jobs(options, store, runtimes):
    if options.engines:
        if any(v != "fp32" for v in options.variants) or options.runtime not in ("auto", "host"):
            raise ToolkitError("--engines evaluates FP32 on this host's engines: leave out --variants and --runtime")
        return engine_jobs(options, store)
    variants = ["fp32"] + [v for v in options.variants if v != "fp32"]
    jobs = []
    for spec in select_models(options.models):
        for variant in variants:
            runtime = runtimes["fp32" if variant == "fp32" else "other"]
            target = runtime.target
            path = store.nb_file(target, spec.name, variant)
            if not path.is_file():
                raise ToolkitError(f"no converted model {path}; make it with: "
                                   f"{store.remake_command(spec.name, target, variant)}")
            manifest = read_json(store.nb_manifest(target, spec.name, variant)) or {}
            calibration = calibration_text(manifest["calibration"]) if manifest.get("calibration") else ""
            jobs.append(Job(spec.name, variant, runtime, path, manifest.get("weights_origin", "unknown"),
                            manifest.get("nb_sha256") or sha256_file(path), get_variant(variant).library, calibration))
    return jobs


def choose_runtimes(options, settings, stack):
    """({"fp32": runtime, "other": runtime or None}, the results folder)."""
    folder = Path(options.results_root) / (options.name or "host")
    if options.runtime == "device":
        device, folder = device_runtime(options, settings, stack)
        return {"fp32": device, "other": device}, folder
    if options.runtime == "arm":
        arm = arm_runtime(options)
        return {"fp32": arm, "other": arm}, folder
    host = HostRuntime(options.threads)
    other = host if options.runtime == "host" else None
    if options.runtime == "auto" and any(v != "fp32" for v in options.variants):
        other = arm_runtime(options)
    if options.runtime == "host" and any(v != "fp32" for v in options.variants):
        raise ToolkitError("this host's x86 runtime runs FP32 only here: use --runtime auto or arm for "
                           "int8, int16 and fp16")
    return {"fp32": host, "other": other}, folder


def evaluate_models(options, say=print, on_progress=None):
    """Evaluate, write the accuracy table and refresh the other tables; an EvalOutcome. `on_progress(done,
    total, what)` per image read (lite.accuracy.evaluate.evaluate)."""
    started = time.monotonic()
    classes = family().models[0].class_num
    dataset = read_dataset(options.data, options.list_file, classes, options.allow_outside).limited(options.limit)
    names = parse_labels(Path(options.labels).read_text()) if options.labels else None
    settings = Settings.of_registry()
    cache = InputCache(dataset.root, settings, False if options.cache is None else options.cache)
    store = ModelStore(options.models_dir)
    refuse_calibration_images(dataset, {f"{spec.name} {variant}": read_json(store.nb_manifest("arm", spec.name,
                                                                                              variant))
                                        for spec in select_models(options.models) for variant in options.variants
                                        if get_variant(variant).post_training})
    say(f"{len(dataset.items)} labelled images ({dataset.layout}) under {dataset.root}")
    if dataset.note:
        say(f"note: {dataset.note}")
    with ExitStack() as stack:
        runtimes, folder = choose_runtimes(options, settings, stack)
        jobs = make_jobs(options, store, runtimes)
        result = evaluate(dataset, jobs, cache, say=say, workers=options.workers, on_progress=on_progress)
    data = f"{dataset.layout} under {dataset.root}" + (f", first {options.limit}" if options.limit else "")
    flat = [csv_row(row, data, len(result.unreadable)) for row in result.rows]
    examples = wrong_examples(dataset, result, names)
    paths = list(write_accuracy(folder, flat, sorted(result.unreadable.items()), dataset.note, examples))
    paths += refresh_tables(Path(options.results_root))
    if result.unreadable:
        say(f"{len(result.unreadable)} file(s) could not be read as images and were left out (listed in "
            f"{paths[1]}); first: {next(iter(result.unreadable))}")
    say(f"cache: {cache.hits} preprocessed images reused, {cache.misses} made")
    say(f"{len(jobs) - result.failed} of {len(jobs)} evaluations ran in {time.monotonic() - started:.0f} s")
    say("wrote " + ", ".join(str(p) for p in paths))
    return EvalOutcome(tuple(paths), len(jobs), result.failed, len(result.unreadable))


def refuse_calibration_images(dataset, manifests):
    """A model calibrated on some of these images would be graded on what it was fitted to: one line.
    `manifests`: {"<model> <variant>": its .nb manifest (or None)} of the post-training variants asked for."""
    calibrated = {}
    for name, manifest in manifests.items():
        calibration = (manifest or {}).get("calibration") or {}
        # the held-back check's images chose the kept layers: they count as calibration images too
        hashes = set(calibration.get("image_sha256") or ()) | set((calibration.get("check") or {}).get("image_sha256")
                                                                  or ())
        if hashes:
            calibrated[name] = hashes
    if not calibrated:
        return
    seen = {}
    for relative, _label in dataset.items:
        try:
            seen[sha256_file(dataset.root / relative)] = relative
        except OSError:
            continue
    for name, hashes in calibrated.items():
        shared = [seen[h] for h in hashes if h in seen]
        if shared:
            raise ToolkitError(f"{len(shared)} of these images calibrated {name} (first: {sorted(shared)[0]}): "
                               f"evaluate it on other images, or convert it again with other --calib-data")


def wrong_examples(dataset, result, names, count=5):
    """(path, true class, predicted class) of the first images the first FP32 model got wrong."""
    fp32 = [key for key in result.predictions if key[1] == "fp32"]
    if not fp32:
        return []
    seen, topk = result.predictions[fp32[0]]

    def name(k):
        return f"{k} {names[k]}" if names and k < len(names) else str(k)
    wrong = [(dataset.items[i][0], name(dataset.items[i][1]), name(int(top[0])))
             for i, top in zip(seen, topk) if int(top[0]) != dataset.items[i][1]]
    return wrong[:count]


def refresh_tables(results_root):
    """Rebuild the latency tables of the result folders under RESULTS and the size table, so that they show
    the measured Top-1 (they look for accuracy.csv themselves)."""
    written = []
    for folder in sorted(p.parent for p in results_root.glob("*/raw")):
        try:
            written += write_reports(folder)[0]
        except ToolkitError as exc:
            print(f"note: did not rebuild {folder}: {exc}", file=sys.stderr)
    for models_csv in sorted([results_root / "models.csv", *results_root.glob("*/models.csv")]):
        if models_csv.is_file():
            written.append(rewrite_size_markdown(models_csv.parent))
    return written
