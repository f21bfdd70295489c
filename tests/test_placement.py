"""Which cores the threads got: clusters from the cores' frequencies, and the marks of a cell whose threads may
not have had the big cores (pure; the device double's SD855 with and without a little-core cpuset is in
tests/test_run_sd855.py)."""
from lite.devices.machine_facts import CpuFacts, MachineFacts
from lite.devices.placement import (
    clusters,
    cpu_list_text,
    parse_cpu_list,
    placement_reasons,
    slower_with_more_threads,
    topology_text,
)

# A Snapdragon 855 as the phone numbers it: little 0-3 (1.78 GHz), big 4-6 (2.42 GHz), prime 7 (2.84 GHz).
SD855 = MachineFacts(cpus=tuple(CpuFacts(cpu, khz) for cpu, khz in enumerate([1785600] * 4 + [2419200] * 3
                                                                             + [2841600])))


def test_cpu_lists_parse_and_print_and_nothing_a_device_says_expands_without_bound():
    assert parse_cpu_list("0-3,5\n") == (0, 1, 2, 3, 5) and cpu_list_text((5, 0, 1, 2, 3)) == "0-3,5"
    assert parse_cpu_list("") == () and parse_cpu_list(None) == ()
    assert parse_cpu_list("0-999999999,x,3-1,-2,7") == (7,)  # past the kernel's CPU bound, malformed: left out


def test_clusters_by_maximum_frequency():
    assert clusters(SD855.cpus) == {0: "little", 1: "little", 2: "little", 3: "little", 4: "big", 5: "big", 6: "big",
                                    7: "prime"}
    assert set(clusters([CpuFacts(0, 2000000), CpuFacts(1, 2000000)]).values()) == {"big"}  # one class
    assert clusters([CpuFacts(0, 1800000), CpuFacts(1, 2400000), CpuFacts(2, None)]) == {0: "little", 1: "big"}
    assert topology_text(SD855) == "prime 7 (2.84 GHz), big 4-6 (2.42 GHz), little 0-3 (1.79 GHz)"


def test_threads_on_little_cores_while_big_ones_went_unused_are_marked():
    assert placement_reasons(SD855, 2, (0, 1), (0, 1, 2, 3, 4, 5, 6, 7)) == (
        "2 thread(s) ran on little core(s) 0-1 while big core(s) 4-7 went unused",)
    assert placement_reasons(SD855, 1, (7,), tuple(range(8))) == ()  # the prime core: nothing to say
    # 8 threads cannot all have big cores: running on little ones too is no fault
    assert placement_reasons(SD855, 8, tuple(range(8)), tuple(range(8))) == ()


def test_an_allowed_set_without_the_big_cores_is_marked_and_says_whose_it_is():
    shell = SD855.with_(shell_cpuset="/background", shell_cpuset_cpus=(0, 1, 2, 3))
    assert placement_reasons(shell, 1, (), ()) == (
        "the shell's cpuset /background (0-3) leaves 0 of the 4 big cores (4-7) for 1 thread(s)",)
    assert placement_reasons(SD855, 4, (), (0, 1, 2, 3, 7)) == (
        "the benchmark's Cpus_allowed_list (0-3,7) leaves 1 of the 4 big cores (4-7) for 4 thread(s)",)
    assert placement_reasons(SD855, 1, (), (0, 1, 2, 3, 7)) == ()  # one thread, one big core allowed: enough
    assert placement_reasons(MachineFacts(cpus=(CpuFacts(0, 2000000), CpuFacts(1, 2000000))), 2, (0,), (0,)) == ()


def test_more_threads_slower_than_fewer_is_marked_on_the_slower_cell():
    assert slower_with_more_threads({1: 30.0, 2: 17.0, 4: 21.5}) == {
        4: "4 threads slower than 2 (21.50 ms against 17.00 ms)"}
    assert slower_with_more_threads({1: 30.0, 2: 17.0, 4: 9.0}) == {}


def test_the_latency_table_marks_the_slower_cell_and_explains_the_mark(tmp_path):
    from helpers import md_row

    from lite.bench.cells import CellOptions
    from lite.bench.results import CellResult, Measurement, RoundResult, load_results, write_result
    from lite.report.latency import latency_rows, to_csv, to_markdown
    for threads, ms in ((1, 10.0), (2, 12.0)):
        write_result(tmp_path, CellResult(
            cell=CellOptions("MobileNetV1", "fp32", "arm", threads, "high", 1, 3), status="ok", runner="cxx",
            model_file={"file": "m.nb", "sha256": "0" * 64, "storage_bytes": 1}, machine=SD855,
            rounds=(RoundResult(1, Measurement((ms, ms, ms), cpus_used=tuple(range(4, 4 + threads)))),)))
    results = load_results(tmp_path).results
    markdown = to_markdown(latency_rows(results), [1, 2], SD855, results)
    assert md_row(markdown, "MobileNetV1", "fp32")[3].endswith("[c1]")
    assert "[c1] 2 threads slower than 1 (12.00 ms against 10.00 ms)." in markdown
    assert "CPU clusters: prime 7 (2.84 GHz), big 4-6 (2.42 GHz), little 0-3 (1.79 GHz)." in markdown
    assert "threads slower" not in md_row(markdown, "MobileNetV1", "fp32")[2]
    assert "2 threads slower than 1" in to_csv(latency_rows(results), [1, 2], SD855)
