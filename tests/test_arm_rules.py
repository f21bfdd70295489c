"""Pure rules behind the real-ARM features: the .nb layout check, which variants a device can run,
CPU features, failure reasons and agreement figures (no program runs here)."""

import numpy as np
import pytest
from helpers import nb_bytes

from lite.bench.support import refusal
from lite.convert.logits import agreement, arm_check_problem
from lite.convert.nb_format import layout_problem
from lite.devices.machine import parse_cpu_features
from lite.models.registry import get_variant
from lite.runtime.failures import failure_reason


def problem_of(data):
    return layout_problem(lambda offset, count: data[offset:offset + count], len(data))


def test_a_whole_file_passes_and_every_kind_of_damage_is_named():
    whole = nb_bytes(b"P" * 10, (b"abc", b"defgh"))
    assert problem_of(whole) is None
    assert problem_of(whole[:-1]).startswith("truncated: its 2 weight records")
    assert problem_of(whole[:20]).startswith("only 20 bytes")
    assert problem_of(whole[:30]).startswith("truncated: the header announces a 10-byte program")
    assert problem_of(whole + b"\0").startswith("damaged: 1 bytes follow")
    assert problem_of(b"PK\x03\x04" + whole[4:]).startswith("not a Paddle Lite .nb")
    assert problem_of(nb_bytes(b"P" * 10, (b"abc", b"defgh"), declared=3)).startswith("truncated")


def test_fp16_needs_the_cpu_features_then_the_library():
    fp16, fp32 = get_variant("fp16"), get_variant("fp32")
    a76 = ["fp", "asimd", "fphp", "asimdhp"]
    assert refusal(fp16, a76, True) is None
    assert refusal(fp16, ["fp", "asimd"], True).startswith("not supported on this CPU")
    assert refusal(fp16, ["fp", "asimd"], False).startswith("not supported on this CPU")  # the CPU is said first
    assert "needs Paddle Lite's FP16 library" in refusal(fp16, a76, False)
    assert refusal(fp16, None, None) is None  # nothing known: the program decides
    assert refusal(fp32, ["fp"], False) is None


def test_cpu_features_from_arm_and_x86_cpuinfo():
    arm = "processor\t: 0\nFeatures\t: fp asimd fphp asimdhp\n\nprocessor\t: 1\nFeatures\t: fp asimd fphp asimdhp\n"
    assert parse_cpu_features(arm) == ["asimd", "asimdhp", "fp", "fphp"]
    assert "avx2" in parse_cpu_features("flags\t\t: fpu sse avx2\n")
    assert parse_cpu_features(None) == []


@pytest.mark.parametrize("text,reason", [
    ("[I 1 info]\nmnv1_bench: error: model file x is not a usable Paddle Lite .nb: truncated\n",
     "mnv1_bench: error: model file x is not a usable Paddle Lite .nb: truncated"),
    ("[I a]\n[F 12/ 1 19:59:14.208 paddle-lite/lite/core/program.cc RuntimeProgram:532] Check failed: x\n"
     "Error: no kernel\nqemu: uncaught target signal 6 (Aborted) - core dumped\n",
     "Paddle Lite aborted: Check failed: x (program.cc RuntimeProgram:532) Error: no kernel"),
    ("[I a]\nSegmentation fault\n[I b]\n", "Segmentation fault"),
    ("", "no output"),
])
def test_failure_reason_finds_the_line_that_matters(text, reason):
    assert failure_reason(text) == reason


def test_agreement_figures():
    reference = np.array([[3.0, 2.0, 1.0, 0.0, -1.0, -2.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]])
    assert agreement(reference, reference)["top1"] == 1.0 and agreement(reference, reference)["max_rel_diff"] == 0
    swapped = reference.copy()
    swapped[0, :2] = swapped[0, 1::-1]
    figures = agreement(reference, swapped)
    assert figures["top1"] == 0.5 and figures["top5"] == 1.0 and figures["max_rel_diff"] == pytest.approx(0.2)
    assert arm_check_problem("fp32", figures).startswith("max relative difference")
    with pytest.raises(ValueError, match="differs from Paddle's"):
        agreement(reference, reference[:, :3])
    assert agreement(reference, reference * np.nan)["finite"] is False


def test_interference_is_the_machines_busy_time_less_the_programs_own():
    from lite.devices.machine import interference, parse_cpu_counters
    before = parse_cpu_counters("cpu  100 0 50 1000 5 0 0 0 0 0\ncpu0 1 2 3\n", "0.50 0.40 0.30 1/100 42\n")
    after = parse_cpu_counters("cpu  400 0 150 1100 25 0 0 10 0 0\n", "1.50 0.60 0.40 2/100 43\n")
    found = interference(before, after, wall_s=2.0, own_cpu_s=1.5)
    assert found["machine_busy_cores"] == 2.0  # 400 ticks = 4 CPU-seconds over 2 s
    assert found["own_cores"] == 0.75 and found["other_cores"] == 1.25
    assert found["iowait_cores"] == 0.1 and found["steal_cores"] == 0.05
    assert (found["loadavg_1m_before"], found["loadavg_1m_after"]) == (0.5, 1.5)
    assert interference(None, after, 2.0) == {} and parse_cpu_counters("", "") is None
