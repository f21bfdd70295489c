"""`python bench_scripts/eval_accuracy.py`: Top-1 / Top-5 on labelled sets the tests make, with labels
from an independent computation (Paddle's own inference on the exported network), on this host's real
Paddle Lite x86 runtime, on the real ARM kernels under qemu, and on a phone (the ADB device double)."""
import csv
import shutil
import subprocess
import sys

import numpy as np
import pytest
from helpers import ONE_ROUND, REPO, md_row, run_cli

from lite.accuracy.inputs import Settings, load_ahead, preprocess_file
from lite.accuracy.metrics import summarize, topk_hits, wilson_interval
from lite.models.image_sets import DatasetError, parse_list, read_dataset
from lite.models.labels import top_k

MODEL = "MobileNetV1_x0_25"


def make_images(folder, count, seed=0):
    """Smooth colour fields with noise, as JPEG and PNG, of several sizes (not all 224 x 224)."""
    from PIL import Image
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        height, width = int(rng.integers(180, 360)), int(rng.integers(180, 360))
        y, x = np.mgrid[0:height, 0:width]
        base = np.stack([np.sin(x / rng.uniform(5, 40) + c) * np.cos(y / rng.uniform(5, 40)) for c in range(3)], -1)
        pixels = np.clip(127 + 100 * base + rng.normal(0, 20, base.shape), 0, 255).astype(np.uint8)
        path = folder / f"img{index:03d}.{'jpg' if index % 2 else 'png'}"
        Image.fromarray(pixels).save(path)
        paths.append(path)
    return paths


def paddle_top1(export_dir, paths):
    """Paddle's own predictions (paddle.inference on the exported .pdmodel), on the registry's preprocessing."""
    from paddle import inference
    config = inference.Config(str(export_dir / "inference.pdmodel"), str(export_dir / "inference.pdiparams"))
    config.disable_gpu()
    config.disable_glog_info()
    predictor = inference.create_predictor(config)
    settings = Settings.of_registry()
    labels = []
    for path in paths:
        handle = predictor.get_input_handle(predictor.get_input_names()[0])
        handle.copy_from_cpu(preprocess_file(path, settings))
        predictor.run()
        logits = predictor.get_output_handle(predictor.get_output_names()[0]).copy_to_cpu()
        labels.append(top_k(logits, 1)[0])
    return labels


@pytest.fixture(scope="module")
def labelled(converted, tmp_path_factory):
    """Twelve images labelled with Paddle's own top-1 for MODEL: in a list file, and shifted by one."""
    root = tmp_path_factory.mktemp("labelled")
    paths = make_images(root / "images", 12)
    labels = paddle_top1(converted["models"] / "paddle" / MODEL, paths)
    (root / "val_list.txt").write_text("".join(f"images/{p.name} {label}\n" for p, label in zip(paths, labels)))
    (root / "shifted.txt").write_text("".join(f"images/{p.name} {(label + 1) % 1000}\n" for p, label in zip(paths,
                                                                                                            labels)))
    return root


def rows_of(path):
    with open(path) as f:
        return {(r["model"], r["variant"]): r for r in csv.DictReader(f)}


def evaluate(*args, results, cache):
    return run_cli("bench_scripts/eval_accuracy.py", *args, "--results", results, "--cache", cache, timeout=900)


@pytest.mark.slow
def test_paddles_own_labels_give_top1_100_and_shifted_labels_0(labelled, converted, tmp_path):
    common = ("--data", labelled, "--models", MODEL, "--models-dir", converted["models"])
    done = evaluate(*common, results=tmp_path / "r", cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    row = rows_of(tmp_path / "r" / "host" / "accuracy.csv")[(MODEL, "fp32")]
    assert (row["runtime"], row["images"], float(row["top1"]), float(row["top5"])) == ("host-x86", "12", 1.0, 1.0)
    assert row["weights_origin"].startswith("synthetic") and float(row["top1_ci95_low"]) < 1.0
    assert "cache: 0 preprocessed images reused, 12 made" in done.stdout
    shifted = evaluate(*common, "--list", labelled / "shifted.txt", results=tmp_path / "s", cache=tmp_path / "cache")
    assert shifted.returncode == 0, shifted.stderr
    row = rows_of(tmp_path / "s" / "host" / "accuracy.csv")[(MODEL, "fp32")]
    assert float(row["top1"]) == 0.0 and float(row["top5"]) >= float(row["top1"])
    assert "cache: 12 preprocessed images reused, 0 made" in shifted.stdout  # preprocessed once, reused
    markdown = (tmp_path / "s" / "host" / "accuracy.md").read_text()
    assert "Synthetic weights" in markdown and "measure nothing" in markdown


@pytest.mark.slow
def test_the_other_tables_gain_the_measured_top1(labelled, converted, tmp_path):
    results = tmp_path / "r"
    results.mkdir()
    shutil.copy(converted["results"] / "models.csv", results / "models.csv")
    swept = run_cli("bench_scripts/run_host.py", "--models", MODEL, "--threads", "1", "--warmup", "1", "--repeats", "3",
                    "--cooldown", "0", *ONE_ROUND, "--models-dir", converted["models"], "--results", results)
    assert swept.returncode == 0, swept.stderr
    assert "Measured Top-1" not in (results / "host" / "latency.md").read_text()
    done = evaluate("--data", labelled, "--models", MODEL, "--models-dir", converted["models"], results=results,
                    cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    latency = (results / "host" / "latency.md").read_text()
    row = md_row(latency, MODEL, "fp32")
    assert md_row(latency, "Model")[-2:] == ["Published Top-1", "Measured Top-1"]
    assert row[-1] == "100.00% (synthetic, n=12)"
    with open(results / "host" / "latency.csv") as f:
        line = next(csv.DictReader(f))
    assert float(line["measured_top1"]) == 1.0 and line["measured_top1_runtime"] == "host-x86"
    models = (results / "models.md").read_text()
    assert md_row(models, MODEL, "x86", "fp32")[-1] == "100.00% (synthetic, n=12)"


@pytest.mark.slow
@pytest.mark.real_arm
def test_int8_and_fp16_run_on_the_real_arm_kernels(labelled, arm_models, paddle_lite_arm, tmp_path):
    done = evaluate("--data", labelled, "--models", MODEL, "--variants", "int8,fp16", "--limit", "4", "--models-dir",
                    arm_models, "--lite-dir", paddle_lite_arm["fp32"], "--fp16-lite-dir", paddle_lite_arm["fp16"],
                    "--batch-files", "2", results=tmp_path / "r", cache=tmp_path / "cache")
    assert done.returncode == 0, done.stdout + done.stderr
    rows = rows_of(tmp_path / "r" / "host" / "accuracy.csv")
    assert rows[(MODEL, "fp32")]["runtime"] == "host-x86"
    for variant in ("int8", "fp16"):
        row = rows[(MODEL, variant)]
        assert row["runtime"] == "arm-qemu" and row["images"] == "4"
        assert 0.0 <= float(row["top1_agreement_with_fp32"]) <= 1.0 and 0.9 < float(row["cosine_with_fp32"]) < 1.0
        assert float(row["top5"]) >= float(row["top1"])
    assert "4/4 images, " in done.stdout and "left" in done.stdout  # progress with an ETA


def double_top1(tensor):
    """What mnv1_classify answers with the light-API DOUBLE (tests/paddle_lite_api_double): its logit k is the
    mean of the inputs i = k (mod 1000), times (1 + k/1000), plus one offset for every class."""
    tensor = tensor.astype(np.float32).ravel()
    sums = np.bincount(np.arange(tensor.size) % 1000, weights=tensor, minlength=1000)
    counts = np.bincount(np.arange(tensor.size) % 1000, minlength=1000)
    return top_k((sums / counts) * (1 + np.arange(1000) / 1000), 1)[0]


@pytest.mark.device
@pytest.mark.slow
def test_a_phone_gets_the_inputs_once_and_runs_one_process_per_model(labelled, converted, cxx_builds, make_device,
                                                                      tmp_path):
    """The ADB device double runs mnv1_classify built against the light-API DOUBLE, whose answer is a known
    function of its input: labelled with that function's answers on the tensors preprocessed here, the set
    must score 100%, which it does only if every tensor reached the phone intact and came back in order."""
    settings = Settings.of_registry()
    images = [line.split()[0] for line in (labelled / "val_list.txt").read_text().splitlines()[:5]]
    answers = [double_top1(preprocess_file(labelled / image, settings)) for image in images]
    (tmp_path / "double_list.txt").write_text("".join(f"{i} {a}\n" for i, a in zip(images, answers)))
    phone = make_device()
    models = ("MobileNetV1_x0_25", "MobileNetV1_x0_5")
    done = evaluate("--data", labelled, "--list", tmp_path / "double_list.txt", "--models", ",".join(models),
                    "--runtime", "device", "--transport", "tcp", "--tcp", phone.serial, "--build-dir",
                    cxx_builds["host"], "--models-dir", converted["models"], results=tmp_path / "r",
                    cache=tmp_path / "cache")
    assert done.returncode == 0, done.stdout + done.stderr
    runs = [command for kind, command,
            *_ in phone.events if kind == "command" and "bin/mnv1_classify --model" in command]
    assert len(runs) == 2 and all("--inputs" in command for command in runs)  # one process per model
    pushed_inputs = [path for kind, path, *_ in phone.events if kind == "push" and path.endswith(".f32")]
    assert len(pushed_inputs) == 5  # once, for both models
    rows = rows_of(tmp_path / "r" / "sd855" / "accuracy.csv")
    for model in models:
        row = rows[(model, "fp32")]
        assert (row["runtime"], row["images"], float(row["top1"])) == ("device", "5", 1.0)
        assert row["cosine_with_fp32"] == ""  # batch mode returns top-5, not logits


# --- bad input: one line and exit 2; an unreadable image is counted and listed ---------------------------

@pytest.mark.parametrize("listing,message", [
    ("images/a.jpg\n", "line 1 has no label"),
    ("images/a.jpg 3\nimages/b.jpg 1000\n", "line 2: label 1000 is outside the model's 1000 classes"),
    ("\n\n", "lists no image"),
])
def test_bad_list_files_are_one_line(tmp_path, listing, message):
    (tmp_path / "val_list.txt").write_text(listing)
    done = run_cli("bench_scripts/eval_accuracy.py", "--data", tmp_path)
    assert done.returncode == 2 and message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_list_paths_outside_the_data_folder_are_refused_unless_allowed(tmp_path):
    (tmp_path / "data").mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_text("not for the report")
    (tmp_path / "data" / "val_list.txt").write_text("../secret.txt 1\n")
    done = run_cli("bench_scripts/eval_accuracy.py", "--data", tmp_path / "data")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "'../secret.txt', which lies outside --data" in done.stderr and "--allow-outside" in done.stderr
    dataset = read_dataset(tmp_path / "data", allow_outside=True)
    assert dataset.items == (("../secret.txt", 1),)


def test_an_empty_folder_and_a_missing_one_are_one_line(tmp_path):
    (tmp_path / "empty" / "n01").mkdir(parents=True)
    for data, message in ((tmp_path / "empty", "holds no image"), (tmp_path / "none", "is not a folder")):
        done = run_cli("bench_scripts/eval_accuracy.py", "--data", data)
        assert done.returncode == 2 and message in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_files_that_are_no_images_are_counted_and_listed(converted, tmp_path):
    make_images(tmp_path / "data" / "n00", 2)
    make_images(tmp_path / "data" / "n01", 1, seed=1)
    (tmp_path / "data" / "n01" / "broken.jpg").write_bytes(b"\xff\xd8 not really")
    (tmp_path / "data" / "n00" / "readme.txt").write_text("hello")
    from PIL import Image
    Image.new("RGB", (1, 20000)).save(tmp_path / "data" / "n00" / "tall.png")  # 138 bytes that once asked for 29 GiB
    (tmp_path / "data" / "n01" / "new\nline | x.jpg").write_bytes(b"not an image")
    import resource  # the evaluation runs under a 6 GiB address-space limit: a 29 GiB allocation cannot pass
    done = subprocess.run([sys.executable, "bench_scripts/eval_accuracy.py", "--data", tmp_path / "data", "--models",
                           MODEL, "--models-dir", converted["models"], "--results", tmp_path / "r", "--cache",
                           tmp_path / "cache"], cwd=REPO, capture_output=True, text=True, timeout=900,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30)))
    assert done.returncode == 0, done.stderr
    assert "4 file(s) could not be read as images" in done.stdout
    row = rows_of(tmp_path / "r" / "host" / "accuracy.csv")[(MODEL, "fp32")]
    assert (row["images"], row["unreadable_images"]) == ("3", "4")
    markdown = (tmp_path / "r" / "host" / "accuracy.md").read_text()
    assert "`n01/broken.jpg`" in markdown and "`n00/readme.txt`" in markdown
    assert "`n00/tall.png`: refused: 1x20000 has an aspect ratio beyond 10:1" in markdown
    listed = [line for line in markdown.splitlines() if "line" in line and "x.jpg" in line]
    assert listed == ["- `n01/new line \\| x.jpg`: UnidentifiedImageError: cannot identify image file "
                      + listed[0].split("cannot identify image file ", 1)[1]]
    assert "2 class folders for a model of 1000 classes" in markdown


# --- the pure parts ---------------------------------------------------------------------------------------

def test_class_folders_give_sorted_indices_and_lists_keep_paths_with_spaces(tmp_path):
    for name in ("n02", "n01", "n10"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "x.jpg").write_bytes(b"")
    dataset = read_dataset(tmp_path)
    assert dataset.items == (("n01/x.jpg", 0), ("n02/x.jpg", 1), ("n10/x.jpg", 2))
    assert parse_list("a b/c d.JPEG 7\n", "l", 1000) == (("a b/c d.JPEG", 7),)
    with pytest.raises(DatasetError, match="more than the model's 2 classes"):
        read_dataset(tmp_path, classes=2)


def test_topk_hits_intervals_and_agreement():
    topk = np.array([[3, 1, 2, 4, 5], [7, 3, 0, 1, 2], [9, 8, 6, 5, 4]])
    assert topk_hits(topk, [3, 3, 1]) == (1, 2)
    low, high = wilson_interval(50, 100)
    assert low < 0.5 < high and high - low == pytest.approx(0.19, abs=0.01)
    row = summarize(topk, [3, 3, 1], reference_top1=[3, 7, 0])
    assert row["top1_agreement_with_fp32"] == pytest.approx(2 / 3) and row["images"] == 3


def test_loading_runs_ahead_in_order_and_reports_errors():
    def load(item):
        if item == 2:
            raise ValueError("not an image")
        return item * 10
    out = list(load_ahead(range(5), load, workers=2, ahead=3))
    assert [(i, r) for i, r, e in out if e is None] == [(0, 0), (1, 10), (3, 30), (4, 40)]
    assert [e for i, r, e in out if i == 2] == ["ValueError: not an image"]


def test_calibration_takes_a_flat_folder_of_images_in_name_order(tmp_path):
    from lite.models.image_sets import read_image_set
    make_images(tmp_path / "flat", 3)
    dataset = read_image_set(tmp_path / "flat")
    assert dataset.layout == "flat folder"
    assert [path for path, _ in dataset.items] == ["img000.png", "img001.jpg", "img002.png"]
    with pytest.raises(DatasetError, match="holds no image"):
        (tmp_path / "empty").mkdir()
        read_image_set(tmp_path / "empty")


def test_images_beyond_the_bounds_are_refused_from_their_header(tmp_path):
    from PIL import Image

    from lite.models.preprocess import ImageRefused, load_rgb, size_problem
    assert size_problem(256, 342) is None and size_problem(3430, 1000) is None  # the widest real ImageNet image
    Image.new("RGB", (20000, 1)).save(tmp_path / "wide.png")
    with pytest.raises(ImageRefused, match="aspect ratio beyond 10:1"):
        load_rgb(tmp_path / "wide.png")
    assert "more than the limit" in size_problem(10000, 10000)
