# The two commands a new user types: `make run` (the main job) and `make test`.
PY := .venv/bin/python

.PHONY: setup run results convert lint test test-fast bench clean

setup:
	@bash scripts/bootstrap.sh

## make run: convert every model, then benchmark them (on this host when no phone is attached), into
## results/local/, which git ignores: a newcomer's run leaves every committed file as it was
run: setup
	$(PY) lite/opt_models.py --all --results results/local
	$(PY) bench_scripts/main_job.py --results results/local

## make results: the same run into results/, rewriting the committed reference results (a deliberate step)
results: setup
	$(PY) lite/opt_models.py --all
	$(PY) bench_scripts/main_job.py

## make convert: only the conversion
convert: setup
	$(PY) lite/opt_models.py --all

## make lint: ruff (pyflakes, pycodestyle errors, import order; pyproject.toml); unused names fail
lint: setup
	.venv/bin/ruff check .

## make test: lint, then the whole test suite on every core (what CI runs), with the 15 slowest tests named
test: lint
	@bash scripts/install_system_packages.sh
	$(PY) -m pytest -q -n auto --durations=15

## make test-fast: lint and the tests not marked slow (no conversion, C++ build, qemu or device double)
test-fast: lint
	$(PY) -m pytest -q -n auto -m "not slow"

## make bench: the benchmark scripts that print speed and size figures against their goals
bench: setup
	$(PY) benchmarks/bench_opt_models.py
	$(PY) benchmarks/bench_host_sweep.py
	$(PY) benchmarks/bench_fidelity.py
	$(PY) benchmarks/bench_quantization.py --models MobileNetV1_x0_25,MobileNetV1
	$(PY) benchmarks/bench_arm_check.py
	$(PY) benchmarks/bench_fleet.py
	$(PY) benchmarks/bench_accuracy.py
	$(PY) benchmarks/bench_ptq.py
	$(PY) benchmarks/bench_engines.py
	$(PY) benchmarks/bench_profile.py

clean:
	rm -rf models
