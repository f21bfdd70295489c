# The two commands a new user types: `make run` (the main job) and `make test`.
PY := .venv/bin/python

.PHONY: setup run convert test test-fast bench clean

setup:
	@bash scripts/bootstrap.sh

## make run: convert every model, then benchmark them (on this host when no phone is attached)
run: setup
	$(PY) lite/opt_models.py --all
	$(PY) bench_scripts/main_job.py

## make convert: only the conversion
convert: setup
	$(PY) lite/opt_models.py --all

## make test: the whole test suite (what CI runs)
test: setup
	@bash scripts/install_system_packages.sh
	$(PY) -m pytest -q

## make test-fast: the suite without the tests marked slow (a developer's own loop)
test-fast: setup
	$(PY) -m pytest -q -m "not slow"

## make bench: the benchmark scripts that print speed and size figures against their goals
bench: setup
	$(PY) bench_scripts/bench_opt_models.py
	$(PY) bench_scripts/bench_host_sweep.py
	$(PY) bench_scripts/bench_fidelity.py
	$(PY) bench_scripts/bench_quantization.py --models MobileNetV1_x0_25,MobileNetV1
	$(PY) bench_scripts/bench_arm_check.py
	$(PY) bench_scripts/bench_fleet.py
	$(PY) bench_scripts/bench_accuracy.py
	$(PY) bench_scripts/bench_ptq.py

clean:
	rm -rf models
