"""Tests of tools/bench/report.py on small made-up measurements: the statistics, the number
formats, reading criterion's output, the sections' tables and goals, and a whole report from an
empty run."""

import json
import math
from argparse import Namespace

import pytest

import report


def test_mmm_ignores_nan_and_is_nan_when_empty():
    assert report.mmm([3.0, float("nan"), 1.0, 2.0]) == (1.0, 2.0, 3.0)
    assert all(math.isnan(x) for x in report.mmm([float("nan")]))


def test_p90_interpolates():
    assert report.p90([1.0]) == 1.0
    assert report.p90(list(range(11))) == pytest.approx(9.0)
    assert report.p90([0.0, 10.0]) == pytest.approx(9.0)
    assert math.isnan(report.p90([]))


@pytest.mark.parametrize(
    "x, text",
    [
        (float("nan"), "–"),
        (250.0, "250 s"),
        (100.0, "100 s"),
        (1.234, "1.23 s"),
        (0.0123, "12.3 ms"),
        (0.001, "1 ms"),
        (0.00042, "420 µs"),
    ],
)
def test_fmt_s(x, text):
    assert report.fmt_s(x) == text


def test_rates_and_the_fastest_run_giving_the_highest_rate():
    assert report.rate(2_000_000, 1.0) == "2 M"
    assert report.rate(3_000_000_000, 1.0) == "3 G"
    assert report.rate(1, 0) == "–"
    assert report.fmt_rate_mmm(1_000_000, [1.0, 0.5, 2.0]) == "**1 M** (0.5 M – 2 M)"


def test_fmt_mmm_s_and_met():
    assert report.fmt_mmm_s([1.0, 2.0, 3.0]) == "**2.00 s** (1.00 s – 3.00 s)"
    assert report.met(None) == "–"
    assert report.met(True) == "met"
    assert report.met(False) == "**not met**"


def test_collect_criterion_reads_per_iteration_times(tmp_path):
    bench = tmp_path / "crit" / "init" / "uniform_" / "new"
    bench.mkdir(parents=True)
    meta = {"full_id": "init/uniform_", "throughput": None}
    (bench / "benchmark.json").write_text(json.dumps(meta))
    (bench / "sample.json").write_text(json.dumps({"iters": [1, 4], "times": [2e9, 4e9]}))
    # a baseline from an earlier run is not read
    old = tmp_path / "crit" / "init" / "uniform_" / "base"
    old.mkdir()
    (old / "benchmark.json").write_text(json.dumps({"full_id": "stale"}))
    out = tmp_path / "criterion.json"
    report.collect_criterion(tmp_path / "crit", out)
    assert json.loads(out.read_text()) == {
        "init/uniform_": {"times_s": [2.0, 1.0], "throughput": None}
    }


def test_sections_say_when_nothing_was_measured():
    goals = []
    assert "(not measured in this run)" in report.notebooks_section({}, goals)
    assert "(not measured in this run)" in report.probe_section({})
    assert goals == []


def crit(**series):
    return {k: {"times_s": v} for k, v in series.items()}


def test_tree_section_growth_and_goal():
    c = {}
    for op, t1000 in (("apply", 5e-4), ("state_dict", 2e-3)):
        c.update(crit(**{f"tree/{op}/100": [t1000 / 10], f"tree/{op}/1000": [t1000],
                         f"tree/{op}/10000": [t1000 * 10]}))
    goals = []
    lines = report.tree_section(c, {}, goals)
    by_name = {g[0]: g for g in goals}
    assert by_name["`apply` on 1000 blocks under 1 ms, linear"][2] is True
    assert by_name["`state_dict` on 1000 blocks under 1 ms, linear"][2] is False
    row = next(line for line in lines if line.startswith("| apply |"))
    assert "×10.0" in row and row.endswith("| met |")


def test_train_section_ratio_against_pytorch():
    key = "train/threads=1/tied MLP, batch 1: d2l"
    torch = {"train": {"1": {"tied MLP, batch 1": [1e-3]}}}
    goals = []
    lines = report.train_section(crit(**{key: [2e-3]}), torch, goals)
    assert goals == [("Training step, tied MLP, batch 1, 1 thread(s): within 1.5× of PyTorch",
                      "2.00×", False)]
    assert any("| 2.00× | **not met** |" in line for line in lines)


def memory_row(net, tied, rss):
    return {"net": net, "tied": tied, "copies": 10, "parameters_numel": 1000,
            "unique_storage_bytes": 4000 if not tied else 2000, "rss_bytes_per_net": rss}


def test_memory_section_with_both_sides(tmp_path):
    rows = [memory_row("small", False, 8000.0), memory_row("small", True, 5000.0)]
    (tmp_path / "memory.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    torch = {"memory": [{"net": "small", "tied": False, "rss_bytes_per_net": 9000.0},
                        {"net": "small", "tied": True, "rss_bytes_per_net": 7000.0}]}
    lines = report.memory_section(tmp_path, torch)
    assert "| small (N = 10) | no | 1,000 | 4,000 | 8,000 | 9,000 |" in lines
    assert "| small (N = 10) | yes | 1,000 | 2,000 | 5,000 | 7,000 |" in lines
    assert any("tying saves 2,000 bytes" in line and "0.50 of the" in line for line in lines)


def test_memory_section_without_pytorch_keeps_the_row(tmp_path):
    (tmp_path / "memory.jsonl").write_text(json.dumps(memory_row("small", False, 8000.0)) + "\n")
    lines = report.memory_section(tmp_path, {})
    row = [line for line in lines if line.startswith("| small (N = 10) |")]
    assert len(row) == 1 and row[0].endswith("| – |")


def test_whole_report_from_an_empty_run(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "sh", lambda *cmd: "?")  # no rustc or cargo calls
    out = tmp_path / "BENCHMARKS.md"
    report.write_report(Namespace(dir=str(tmp_path), out=str(out), quick=True))
    text = out.read_text()
    assert text.startswith("# Benchmarks\n")
    assert "## Goals at a glance" in text and "**Quick run**" in text
    assert text.count("(not measured in this run)") == 2
    assert "## Findings" in text and text.endswith("\n")


def _student_run(first=2.0):
    nb = {"notebook": "1.ipynb", "first_result_s": first, "first_cell_reply_s": 0.5,
          "wall_s": 9.0, "cells_s": [0.3], "not_ok": 0, "outputs_differ": 0}
    side = {"warm_open": [nb], "chapter": [nb], "chapter_wall_s": 9.0,
            "three": {"1": [nb], "3": [nb]}, "median_cell_s": 0.3, "p95_cell_s": 0.9,
            "idle_pooled_rss_mb": [250.0]}
    torch = {**side, "three": {"0": [nb]}, "chapter_wall_s": 4.5,
             "kernel_after_import_rss_mb": 550.0}
    return {"rust": side, "pytorch": torch, "load": "median 1.0", "cpus": 2, "load_median": 1.0}


def test_student_goals_and_section():
    import report_student

    goals = dict((g.split(" (through")[0], ok) for g, _, ok in report_student.goals(_student_run()))
    assert goals["Open a notebook, pool warm, to its first result at most 3 s"] is True
    assert goals["Whole chapter, a kernel per notebook, at most 3× PyTorch"] is True
    slow = dict((g.split(" (through")[0], ok)
                for g, _, ok in report_student.goals(_student_run(first=4.0)))
    assert slow["Open a notebook, pool warm, to its first result at most 3 s"] is False
    text = "\n".join(report_student.section(_student_run()))
    assert text.startswith(report_student.BEGIN) and text.endswith(report_student.END)
    assert "| 1.ipynb (pool warm) | 2.00 s | 500 ms | 9.00 s |" in text
    assert "not run" in "\n".join(report_student.section({}))


def test_student_update_replaces_only_its_section(tmp_path):
    import json

    import report_student

    md = tmp_path / "B.md"
    md.write_text("# B\n\n| goal | measured | |\n|---|---|---|\n| other | 1 | met |\n\n"
                  "## Other\n\nkept\n\n## Findings\n\nf\n")
    data = tmp_path / "s.json"
    data.write_text(json.dumps(_student_run()))
    report_student.update(data, md)
    report_student.update(data, md)  # twice: still one section, one set of goal rows
    text = md.read_text()
    assert text.count(report_student.BEGIN) == 1
    assert text.count("(through Jupyter)") == len(report_student.goals(_student_run()))
    assert "| other | 1 | met |" in text and "kept" in text and text.rstrip().endswith("f")


# ---------------------------------------------------------------- the class bench's section

def _class(n, first, cell, disk=12.0, errors=0, different=0):
    return {"students": n, "first_result_median_s": first, "first_result_p95_s": first * 1.5,
            "cell_median_s": cell, "cell_p95_s": cell * 3, "peak_used_gb": 2.0 + n,
            "base_used_gb": 2.0, "per_student_peak_mb": 1100.0, "cpu_mean_pct": 90.0,
            "errors": errors, "outputs_different": different, "cells": 20 * n,
            "disk_per_student_mb": disk}


def test_classroom_section_reports_skipped_sizes_and_goals():
    import report_classroom

    results = {"machine": {"cores": 2, "memory_gb": 23.5},
               "classes": [_class(1, 20.0, 0.8), _class(5, 60.0, 1.5)],
               "not_run": [{"students": 20, "would_need_gb": 31.0}],
               "lecture": {**_class(15, 30.0, 2.0), "running": 10},
               "lecture_asked": {"students": 30, "would_need_gb": 36.2},
               "per_student_gb_estimate": 1.1}
    text = "\n".join(report_classroom.section(results))
    assert "| 20 | not run: the class would need 31.0 GB" in text
    assert "lecture: 15 open, 10 running" in text and "36.2 GB" in text
    assert "| students hosted, each with a kernel open | 15 (30 would need 36.2 GB) | 30 | " \
           "**not met** |" in text
    assert "| extra disk per student | 12.0 MB | <= 50 MB | met |" in text
    assert "| outputs lost or different, errors | 0 | 0 | met |" in text


def test_classroom_section_counts_a_lost_output_against_the_goal(tmp_path):
    import report_classroom

    results = {"machine": {"cores": 2, "memory_gb": 23.5},
               "classes": [_class(1, 20.0, 0.8, different=1)], "not_run": []}
    md = tmp_path / "B.md"
    md.write_text("# B\n\n## Findings\nx\n")
    report_classroom.update(md, results)
    report_classroom.update(md, results)  # replaced, not appended
    text = md.read_text()
    assert text.count(report_classroom.BEGIN) == 1
    assert "| outputs lost or different, errors | 1 | 0 | **not met** |" in text
    assert text.index(report_classroom.END) < text.index("## Findings")


def _memory_run():
    case = {"case": "the kernel's settings", "env": {}, "rss_mb": 480.0,
            "by_process": {"evcxr_jupyter": 480.0, "bash": 3.0}, "cell_s": [7.0, 2.5, 1.5],
            "errors": []}
    whole = {**case, "case": "as it comes", "rss_mb": 1094.0,
             "by_process": {"evcxr_jupyter": 1094.0}, "errors": ["x: failed"]}
    return {"cases": [whole, case], "load_after": ["3.1", "2.0", "1.5"]}


def test_kernel_memory_section_has_a_row_per_case_and_pytorch_beside():
    import kernel_memory
    lines = kernel_memory.section(_memory_run(), 551.0)
    text = "\n".join(lines)
    assert lines[0] == kernel_memory.BEGIN and lines[-1] == kernel_memory.END
    assert "| as it comes | 1094 MB | 1094 MB | 7.0 s / 2.5 s / 1.5 s | 1 |" in text
    assert "| the kernel's settings | 480 MB | 480 MB |" in text
    assert "| PyTorch's kernel after `import torch` (student bench) | 551 MB |" in text
    assert "load average after it: 3.1 2.0 1.5" in text


def test_kernel_memory_report_replaces_only_its_section(tmp_path):
    import kernel_memory
    data = tmp_path / "memory.json"
    data.write_text(json.dumps(_memory_run()))
    md = tmp_path / "BENCHMARKS.md"
    md.write_text("# B\n\n<!-- student-bench:end -->\n\n## Later\n")
    kernel_memory.report(data, md, None)
    first = md.read_text()
    assert first.index("<!-- student-bench:end -->") < first.index(kernel_memory.BEGIN)
    assert first.index(kernel_memory.END) < first.index("## Later")
    kernel_memory.report(data, md, None)  # again: the section is replaced, not added
    assert md.read_text() == first and first.count(kernel_memory.BEGIN) == 1


def test_whole_report_keeps_the_class_section_and_adds_kernel_memory(tmp_path, monkeypatch):
    import kernel_memory
    import report_classroom
    monkeypatch.setattr(report, "sh", lambda *cmd: "?")
    (tmp_path / "kernel_memory.json").write_text(json.dumps(_memory_run()))
    out = tmp_path / "BENCHMARKS.md"
    out.write_text(f"old\n{report_classroom.BEGIN}\nclass table\n{report_classroom.END}\nold\n")
    report.write_report(Namespace(dir=str(tmp_path), out=str(out), quick=True))
    text = out.read_text()
    assert f"{report_classroom.BEGIN}\nclass table\n{report_classroom.END}" in text
    assert kernel_memory.BEGIN in text and "| the kernel's settings | 480 MB |" in text
