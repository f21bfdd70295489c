"""The benchmark engine: models x variants x thread counts, one fresh process per cell and round.

Device-agnostic: a runner (this host, or a phone over adb) runs a cell and returns the benchmark
program's JSON; the engine decides what to run and in which order (interleaved rounds, shuffled),
waits for the device to cool, measures what else used the CPUs, records every cell in its own
result file after each round, re-measures unstable cells, and keeps going when one cell fails.
"""
import random
import time
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from lite.bench.cells import cell_id, thread_label
from lite.bench.results import CellResult, Measurement, RoundResult, is_complete, read_result, write_result
from lite.bench.stability import Limits, imprecise, unstable_cells
from lite.bench.stats import latency_stats
from lite.devices.machine import hottest, interference
from lite.errors import CellFailed


@dataclass
class SweepSummary:
    ran: int = 0  # cells measured (each in every round)
    skipped: int = 0
    failed: int = 0
    retried: int = 0  # re-measurements of unstable cells
    unstable: dict = field(default_factory=dict)  # {cell id: reasons} still unstable at the end
    seed: int = None


def now_iso():
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def wait_until_cool(read_temperatures, max_temp_c, timeout_s, say, sleep=time.sleep, clock=time.monotonic,
                    poll_s=5.0):
    """Block until the hottest zone is below `max_temp_c` or `timeout_s` passes.

    Returns (what happened, the temperatures read last), so the caller needs no second reading."""
    started = clock()
    temperatures = read_temperatures()
    if max_temp_c is None or not temperatures:
        return {"waited_s": 0.0, "timed_out": False, "readable": bool(temperatures)}, temperatures
    announced = False
    while hottest(temperatures) >= max_temp_c:
        if clock() - started >= timeout_s:
            say(f"  still {hottest(temperatures):.1f} °C after {timeout_s:.0f} s; measuring anyway (recorded)")
            return {"waited_s": clock() - started, "timed_out": True, "readable": True}, temperatures
        if not announced:
            say(f"  cooling: {hottest(temperatures):.1f} °C >= {max_temp_c:.1f} °C, waiting")
            announced = True
        sleep(poll_s)
        temperatures = read_temperatures()
    return {"waited_s": clock() - started, "timed_out": False, "readable": True}, temperatures


def _progress(index, total, label, cell, outcome, limits):
    head = f"[{index}/{total}] {label}{cell.model} {cell.variant} {thread_label(cell.threads)}:"
    if not outcome.ok:
        return f"{head} FAILED: {outcome.error}"
    stats = latency_stats(outcome.measurement.samples_ms)
    line = f"{head} median {stats['median_ms']:.2f} ms (p90 {stats['p90_ms']:.2f}, CV {100 * stats['cv']:.1f}%)"
    other = outcome.interference.get("other_cores")
    if other is not None and other > limits.max_other_cores:
        line += f"; other work used {other:.2f} cores meanwhile"
    return line


class _Engine:
    """Runs cells round by round; one fresh process per cell and round, a result file rewritten after each."""

    def __init__(self, runner, machine, result_dir, *, cooldown_s, max_temp_c, max_temp_wait_s, limits, say, sleep,
                 clock,
                 guard=None, on_progress=None):
        self.runner, self.result_dir, self.limits, self.say, self.sleep = runner, result_dir, limits, say, sleep
        self.clock, self.on_progress = clock, on_progress
        self.guard = guard or (lambda: nullcontext({}))
        self.cooldown_s, self.max_temp_c, self.max_temp_wait_s = cooldown_s, max_temp_c, max_temp_wait_s
        self.machine = machine
        self.ran_before = False

    def measure_round(self, cell, number, position):
        if self.ran_before and self.cooldown_s > 0:
            self.sleep(self.cooldown_s)
        self.ran_before = True
        cooling, temperatures_before = wait_until_cool(self.runner.temperatures, self.max_temp_c,
                                                       self.max_temp_wait_s, self.say, self.sleep)
        with self.guard() as concurrent:  # e.g. no push to another device while this one measures
            started_at = now_iso()
            counters_before, started = self.runner.cpu_counters(), self.clock()
            try:
                measurement, error = Measurement.from_program(self.runner.run_cell(cell, first_round=number == 1)), None
            except CellFailed as exc:
                measurement, error = None, str(exc)
            own_ms = measurement.extra.get("cpu_time_ms") if measurement else None
            used = measurement.cpus_used if measurement else ()
            found = interference(counters_before, self.runner.cpu_counters(), self.clock() - started,
                                 None if own_ms is None else own_ms / 1000, used)
        if concurrent:
            found = {**found, "other_devices": dict(concurrent)}
        return RoundResult(round=number, measurement=measurement, error=error, position=position,
                           started_at=started_at, finished_at=now_iso(), temperatures_before_c=temperatures_before,
                           temperatures_after_c=self.runner.temperatures(), cooling=cooling, interference=found)

    def run(self, cells, results, *, rounds, rng, counter, label="", start=1, of=None):
        """Measure `cells` in `rounds` rounds numbered from `start` (later ones add to the rounds a result
        has), each in a fresh shuffled order; update `results` ({cell id: CellResult}) and write each file
        after every round. `of`: the planned number of rounds, for the progress lines. Returns how many failed."""
        failed = set()
        for number in range(start, start + rounds):
            order = [c for c in cells if cell_id(c) not in failed]
            rng.shuffle(order)
            for position, cell in enumerate(order, 1):
                outcome = self.measure_round(cell, number, position)
                key = cell_id(cell)
                earlier = results[key].rounds if number > 1 else ()
                results[key] = replace(results[key], rounds=(*earlier, outcome),
                                       status="ok" if outcome.ok else "failed", error=outcome.error)
                write_result(self.result_dir, results[key])
                counter[0] += 1
                if self.on_progress:
                    self.on_progress(*counter)
                planned = of or rounds
                if number > planned:
                    round_label = f"extra round {number} "
                else:
                    round_label = f"round {number}/{planned} " if planned > 1 else ""
                self.say(_progress(counter[0], counter[1], label + round_label, cell, outcome, self.limits))
                if not outcome.ok:
                    failed.add(key)
        return len(failed)


def extra_rounds(engine, cells, results, rounds, max_rounds, limits, rng, counter, say, label=""):
    """Early stopping: after the planned `rounds`, each cell whose figure is not yet precise enough gets one
    more round, interleaved among such cells, until it is or has `max_rounds`; a precise cell stops at
    `rounds`. Returns how many failed."""
    failed = 0
    for number in range(rounds + 1, (max_rounds or rounds) + 1):
        again = [cell for cell in cells if imprecise(results[cell_id(cell)], limits)]
        if not again:
            break
        say(f"{label}{len(again)} cell(s) not yet within ±{100 * limits.max_spread:g}% get round {number} (at most "
            f"{max_rounds})")
        counter[1] += len(again)
        failed += engine.run(again, results, rounds=1, rng=rng, counter=counter, label=label, start=number,
                             of=rounds)
    return failed


def run_sweep(cells, runner, machine, result_dir, *, rounds=1, seed=None, max_retries=0, limits=Limits(), twins=None,
              resume=False, cooldown_s=0.0, max_temp_c=None, max_temp_wait_s=300.0, say=print, sleep=time.sleep,
              clock=time.monotonic, guard=None, on_progress=None, schedule_extra=None, estimator="median",
              max_rounds=None):
    """Run every cell not already complete (with `resume`) in `rounds` interleaved rounds, re-measure
    unstable cells up to `max_retries` times; return a SweepSummary. `machine`: the MachineFacts that the
    job read once (recorded in every result; a resumed result counts only from the same device).

    Each round runs every cell once, in an order shuffled with `seed` (drawn and recorded when None), so
    that drift hits every cell alike. `twins`: {architecture: model names} for the same-network check.
    `guard`: a context manager factory entered around each measurement, yielding a dict recorded in the
    round's interference as `other_devices` (the push gate of a many-device sweep); `on_progress(done,
    total)` after each measurement; `schedule_extra`: more facts for every result's schedule.
    Raises DeviceLost (keeping every finished round on disk) when the runner does."""
    seed = random.SystemRandom().randrange(2 ** 31) if seed is None else seed
    summary, rng = SweepSummary(seed=seed), random.Random(seed)
    engine = _Engine(runner, machine, result_dir, cooldown_s=cooldown_s, max_temp_c=max_temp_c,
                     max_temp_wait_s=max_temp_wait_s, limits=limits, say=say, sleep=sleep, clock=clock,
                     guard=guard, on_progress=on_progress)
    if max_temp_c is not None and not runner.temperatures():
        say("note: no thermal zone is readable on this device, so --max-temp cannot wait for it")
    results, todo = {}, []
    for cell in cells:
        earlier = read_result(result_dir, cell) if resume else None
        if earlier and is_complete(earlier, cell, cell.model_file.sha256, runner.name,
                                  engine.machine.short_name, rounds):
            summary.skipped += 1
            results[cell_id(cell)] = earlier
            say(f"{cell.model} {cell.variant} {thread_label(cell.threads)}: done earlier, kept")
        else:
            todo.append(cell)
    if rounds > 1 and todo:
        say(f"{rounds} rounds of {len(todo)} cells, each round in its own order (seed {seed}; --seed {seed} "
            f"repeats the order)")

    def fresh(cell, attempt, earlier_attempts=()):
        schedule = {"rounds": rounds, "max_rounds": max_rounds, "seed": seed, "attempt": attempt,
                    "limits": limits.as_dict(), "estimator": estimator, **(schedule_extra or {})}
        return CellResult(cell=cell.options, status="ok", runner=runner.name, model_file=cell.model_file.result_info(),
                          machine=engine.machine, schedule=schedule, earlier_attempts=earlier_attempts)

    for cell in todo:
        results[cell_id(cell)] = fresh(cell, 1)
    counter = [0, rounds * len(todo)]
    summary.failed = engine.run(todo, results, rounds=rounds, rng=rng, counter=counter)
    summary.ran = len(todo)
    summary.failed += extra_rounds(engine, todo, results, rounds, max_rounds, limits, rng, counter, say)
    by_id = {cell_id(c): c for c in cells}
    for attempt in range(2, max_retries + 2):
        unstable = unstable_cells(list(results.values()), twins or {}, limits)
        again = [by_id[key] for key in unstable if key in by_id and results[key].ok]
        if not again:
            break
        say(f"re-measuring {len(again)} unstable cell(s) (retry {attempt - 1} of {max_retries}): "
            + "; ".join(f"{cell_id(c)}: {', '.join(unstable[cell_id(c)])}" for c in again))
        for cell in again:
            before = results[cell_id(cell)]
            record = {"attempt": before.schedule.get("attempt", 1), "reasons": unstable[cell_id(cell)],
                      "rounds": [r.as_dict() for r in before.rounds]}
            results[cell_id(cell)] = fresh(cell, attempt, (*before.earlier_attempts, record))
        counter[1] += rounds * len(again)
        summary.failed += engine.run(again, results, rounds=rounds, rng=rng, counter=counter,
                                     label=f"retry {attempt - 1} ")
        summary.failed += extra_rounds(engine, again, results, rounds, max_rounds, limits, rng, counter, say,
                                       label=f"retry {attempt - 1}: ")
        summary.retried += len(again)
    unstable = unstable_cells(list(results.values()), twins or {}, limits)
    summary.unstable = {key: reasons for key, reasons in unstable.items() if key in by_id}
    return summary
