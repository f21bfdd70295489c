"""The package's shape: layers import downwards only, nothing happens at import, one place per fact,
the wheel ships every subpackage, and the wrong Python gets one line instead of a traceback."""
import ast
import glob
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LITE = REPO / "lite"
# Lowest first. A module may import from its own layer or any lower one, never a higher one.
LAYERS = ("errors", "util", "models", "convert", "runtime", "devices", "bench|accuracy", "report|app", "jobs", "cli")
CONTRACT_SCRIPTS = ("lite/opt_models.py", "bench_scripts/run_host.py", "bench_scripts/run_sd855.py",
                    "bench_scripts/report.py", "bench_scripts/main_job.py", "bench_scripts/eval_accuracy.py",
                    "android_demo/install.py")


def layer_of(module):
    """'lite.bench.sweep' -> index in LAYERS; the package root and the contract shim sit at the ends."""
    parts = module.split(".")
    if parts == ["lite"]:
        return 0
    if parts[1] in ("opt_models", "__main__"):
        return len(LAYERS) - 1
    for index, names in enumerate(LAYERS):
        if parts[1] in names.split("|"):
            return index
    raise AssertionError(f"{module} is in no declared layer")


def module_name(path):
    rel = path.relative_to(REPO).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_imports(path):
    """Every lite module a file imports, at top level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "lite"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "lite":
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names
                      if (LITE / Path(*node.module.split(".")[1:]) / alias.name).is_dir()
                      or (LITE / Path(*node.module.split(".")[1:]) / f"{alias.name}.py").is_file()}
    return found


def product_files():
    return sorted(LITE.rglob("*.py"))


def test_every_import_goes_to_the_same_or_a_lower_layer():
    upward = []
    for path in product_files():
        importer = module_name(path)
        for imported in project_imports(path):
            if layer_of(imported) > layer_of(importer):
                upward.append(f"{importer} -> {imported}")
    assert upward == []


def test_the_layer_check_catches_an_upward_import(tmp_path):
    # the check itself must be able to fail: a devices module importing the sweep engine is upward
    assert layer_of("lite.bench.sweep") > layer_of("lite.devices.base")
    sample = tmp_path / "sample.py"
    sample.write_text("from lite.bench.sweep import run_sweep\nfrom lite import errors\n")
    assert project_imports(sample) == {"lite.bench.sweep", "lite", "lite.errors"}


def test_errors_module_and_the_pushed_bench_program_import_nothing_from_the_project():
    assert project_imports(LITE / "errors.py") == set()
    assert project_imports(LITE / "runtime" / "bench_program.py") == set()  # it is pushed to boards alone


def test_importing_every_module_reads_no_data_file_and_sets_no_global_state():
    code = r'''
import importlib, pkgutil, sys
opened = []
def hook(event, args):
    if (event == "open" and isinstance(args[0], str) and args[0].startswith(LITE)
            and not args[0].endswith((".py", ".pyc"))):
        opened.append(args[0])
sys.addaudithook(hook)
LITE = sys.argv[1]
import lite
names = [m.name for m in pkgutil.walk_packages(lite.__path__, "lite.")]
for name in names:
    importlib.import_module(name)
print(len(names), opened, "matplotlib.pyplot" in sys.modules)
'''
    done = subprocess.run([sys.executable, "-c", code, str(LITE)], capture_output=True, text=True, timeout=300,
                          cwd=REPO)
    assert done.returncode == 0, done.stderr
    count, rest = done.stdout.strip().split(" ", 1)
    assert int(count) > 40
    assert rest == "[] False"  # none of our data files read, no pyplot (global backend) loaded


def product_sources():
    """{relative path: text} of the product's Python code, contract scripts included."""
    files = [*product_files(), *(REPO / s for s in CONTRACT_SCRIPTS)]
    return {str(p.relative_to(REPO)): p.read_text() for p in files}


def files_matching(pattern, sources=None):
    sources = sources or product_sources()
    return sorted(path for path, text in sources.items() if re.search(pattern, text))


@pytest.mark.parametrize("what,pattern,only_in", [
    ("the published SD855 key format", r"sd855_ms_bs1_threads", ["lite/models/registry.py"]),
    ("the MiB constant", r"^MIB\s*=|2\s*\*\*\s*20|1024\s*\*\s*1024", ["lite/util/units.py"]),
    ("the opt command line", r"--optimize_out_type", ["lite/convert/opt.py"]),
    ("the power-mode table", r"rand_high", ["lite/runtime/bench_program.py"]),
    ("the cell-id format", r"__t\{", ["lite/bench/cells.py"]),
    ("comma-list parsing", r"ArgumentTypeError\(f\"unknown", ["lite/cli/args.py"]),
    ("the transport options", r"\"--transport\"", ["lite/cli/args.py"]),
    ("the variant order and flags", r"QUANT_INT8|\"fp16\", \"int16\"", []),
    ("the last non-empty line", r"splitlines\(\)\[-1|lines\[-1\]|lines\[-1:\]", ["lite/util/text.py"]),
    ("model file paths", r"/ \"paddle\"|\"paddle\" /|f\"\{nb_stem|\.with_suffix\(\"\.json\"\)",
     ["lite/models/store.py"]),
    ("SoC names of the Snapdragon 855", r"\"msmnile\"", ["lite/devices/facts.py"]),
    ("how ARM programs start on this host", r"\"qemu-aarch64\"|\"/usr/aarch64-linux-gnu\"",
     ["lite/runtime/arm_library.py"]),
    ("the FP16 kernel mark", r"kARMkFP16", ["lite/runtime/arm_library.py"]),
    ("the .nb layout", r"PARAMS_HEAD_BYTES\s*=", ["lite/convert/nb_format.py"]),
    ("the ARM check thresholds", r"ARM_CHECK_THRESHOLDS\s*=", ["lite/convert/logits.py"]),
    ("table writing (pandas, in one module)", r"csv\.DictWriter|csv\.writer\(|to_markdown\(index|\"\| --- \|",
     ["lite/report/tables.py"]),
])
def test_each_fact_is_written_in_one_place(what, pattern, only_in):
    assert files_matching(pattern) == only_in, what


def test_no_sys_path_edits_and_no_dead_code_in_the_product():
    assert files_matching(r"sys\.path\b") == []
    assert files_matching(r"def device_layout|except ExportError:\s*\n\s*raise\b") == []


def test_the_cell_id_used_by_the_test_double_is_the_products():
    tests = {str(p.relative_to(REPO)): p.read_text() for p in (REPO / "tests").rglob("*.py")
             if p.name != "test_layout.py"}
    assert files_matching(r"__t\{", tests) == []


def test_the_wheel_ships_every_subpackage_and_its_data(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                           "-w", str(tmp_path), str(REPO)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    names = set(zipfile.ZipFile(glob.glob(str(tmp_path / "*.whl"))[0]).namelist())
    for path in product_files():
        assert str(path.relative_to(REPO)) in names
    assert {"lite/models/family.json", "lite/models/reference/paddleclas_mobilenetv1_sd855.csv"} <= names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(glob.glob(str(tmp_path / "*.whl"))[0]).read(entry_points).decode()
    assert "mnv1 = lite.cli.mnv1:main" in text and "mnv1-" not in text  # one command, no mnv1-* left


def other_pythons():
    """Interpreters that are not the project's: the system python3 and a bare 3.10 without the packages."""
    found = []
    for candidate in ("/usr/bin/python3",
                      *sorted(glob.glob(str(Path.home() / ".pyenv/versions/3.1[01]*/bin/python3")))):
        if Path(candidate).exists() and Path(candidate).resolve() != Path(sys.executable).resolve():
            found.append(candidate)
    return found


@pytest.mark.parametrize("script", CONTRACT_SCRIPTS)
def test_the_wrong_python_gets_one_line_naming_the_fix(script):
    pythons = other_pythons()
    assert pythons, "no other Python on this machine to try"
    for python in pythons:
        done = subprocess.run([python, script, "--help"], capture_output=True, text=True, timeout=60, cwd=REPO)
        assert done.returncode != 0, python
        assert "Traceback" not in done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:") and "make run" in lines[0], (python, done.stderr)
        assert "needs Python 3.10" in lines[0] and f" at {python}" in lines[0], lines[0]  # what is wrong, which one


def test_the_wrong_python_importing_the_package_is_told_which_python():
    done = subprocess.run(["/usr/bin/python3", "-c", "import lite"], capture_output=True, text=True, cwd=REPO)
    assert done.returncode != 0 and "Python 3.10" in done.stderr and "make run" in done.stderr


def test_no_source_file_is_hidden_by_gitignore():
    # a too-wide ignore pattern (`models/` once hid lite/models/) makes a clean clone lack modules
    done = subprocess.run(["git", "ls-files", "--others", "--ignored", "--exclude-standard", "lite", "tests",
                           "cxx_demo", "android_demo", "bench_scripts", "scripts", "docs"],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr  # CI runs on a clone: this always has git to ask
    hidden = [p for p in done.stdout.splitlines() if p.endswith((".py", ".json", ".csv", ".cc", ".h", ".java", ".sh"))
              and "__pycache__" not in p and "/build/" not in p]
    assert hidden == []


def import_graph():
    """{module: the lite modules it imports, at top level or inside functions} over every file of lite/."""
    modules = {module_name(path): path for path in product_files()}
    graph = {}
    for name, path in modules.items():
        graph[name] = sorted(imported for imported in project_imports(path)
                             if imported in modules and imported != name and imported != "lite")
    return graph


def find_cycle(graph):
    """One import cycle as [a, b, ..., a], or None (depth-first search, pure)."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in graph.get(node, ()):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_module_of_lite_is_in_an_import_cycle_even_through_a_function_level_import():
    assert find_cycle(import_graph()) is None


def test_the_cycle_check_finds_a_cycle():
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": ["b"], "b": []}) is None


def test_the_jobs_sit_between_the_reports_and_the_commands():
    assert layer_of("lite.report.writer") < layer_of("lite.jobs.device_sweep") < layer_of("lite.cli.device_bench")
    assert not any(imported.startswith("lite.cli") for imported in project_imports(LITE / "jobs" / "device_sweep.py"))


DOCUMENTED_ROOTS = ("lite/", "tests/", "bench_scripts/", "benchmarks/", "cxx_demo/", "android_demo/", "scripts/",
                    "docs/")


def named_paths(markdown):
    """Every repository path a page names in backquotes or in its code blocks (`lite/x.py`, `tests/y/`)."""
    pattern = r"(?<![\w./-])((?:%s)[\w./-]*[\w/])" % "|".join(re.escape(root) for root in DOCUMENTED_ROOTS)
    return sorted({match.rstrip(".") for match in re.findall(pattern, markdown)})


def test_every_path_the_internals_page_names_exists():
    paths = named_paths((REPO / "docs" / "internals.md").read_text())
    assert len(paths) > 30  # the page does name the layout
    missing = [path for path in paths if not (REPO / path).exists() and not glob.glob(str(REPO / path))]
    assert missing == []


def test_the_path_check_sees_a_wrong_path():
    assert named_paths("see `lite/preprocess.py` and lite/jobs/") == ["lite/jobs/", "lite/preprocess.py"]


def test_the_internals_page_names_every_package_of_lite():
    page = (REPO / "docs" / "internals.md").read_text()
    packages = sorted(p.name for p in LITE.iterdir() if (p / "__init__.py").is_file())
    assert [name for name in packages if f"`lite/{name}/`" not in page] == []


def test_the_wrong_python_running_the_one_command_gets_one_line():
    done = subprocess.run(["/usr/bin/python3", "-m", "lite", "--help"], capture_output=True, text=True, cwd=REPO)
    lines = done.stderr.strip().splitlines()
    assert done.returncode != 0 and len(lines) == 1 and lines[0].startswith("error: the toolkit needs Python 3.10")
    assert "/usr/bin/python3" in lines[0] and "make run" in lines[0]


@pytest.mark.parametrize("path", sorted((REPO / "benchmarks").glob("*.py")), ids=lambda p: p.name)
def test_every_goal_benchmark_imports_what_exists(path):
    # a benchmark is run by hand (make bench), so nothing else notices a name it imports that a change removed
    import importlib.util
    spec = importlib.util.spec_from_file_location(f"benchmark_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # its main() runs only as a script
    assert callable(module.main)
