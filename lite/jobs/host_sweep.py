"""The this-host job: the x86 models on the real Paddle Lite x86 runtime, into RESULTS/host/."""
from pathlib import Path

from lite.bench.host_runner import HostRunner, host_facts
from lite.bench.plan import plan_cells
from lite.bench.sweep import run_sweep
from lite.jobs.options import SweepOutcome
from lite.models.engines import DEFAULT_ENGINE
from lite.models.store import ModelStore
from lite.report.writer import write_reports
from lite.util.files import ensure_writable_dir


def sweep_this_host(sweep, *, say=print, on_progress=None):
    """Plan, sweep and report on this host; a SweepOutcome. Each cell first checks its logits against
    Paddle's reference (the export's), then times. `on_progress(done, total)` after each measurement."""
    cells = plan_cells(ModelStore(sweep.models_dir), sweep.models, sweep.variants, sweep.threads, "x86",
                       power_mode=sweep.power_mode, warmup=sweep.warmup, repeats=sweep.repeats, with_reference=True,
                       input_shape=sweep.input_shape, engines=sweep.engines)
    result_dir = ensure_writable_dir(Path(sweep.results_root) / "host")
    ensure_writable_dir(result_dir / "raw")
    say(f"benchmarking {len(cells)} cells on this host (warm-up {sweep.warmup}, repeats {sweep.repeats}"
        + (f"; engines {', '.join(sweep.engines)}" if sweep.engines != (DEFAULT_ENGINE,) else "") + ")")
    runner = HostRunner(sweep.cell_timeout_s)
    try:
        summary = run_sweep(cells, runner, host_facts(), result_dir, say=say, on_progress=on_progress,
                            **sweep.engine_options())
    finally:
        runner.close()
    paths, problems = write_reports(result_dir)
    return SweepOutcome(result_dir, tuple(paths), tuple(problems), summary)
