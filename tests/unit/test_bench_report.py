"""The benchmark's pure helpers (scripts/bench): percentiles, wrk's summary line,
the median pair, the verdict against a goal and the printed table."""

from __future__ import annotations

import pytest

from procurement.benchmark.goals import GOALS, Goal
from procurement.benchmark.report import (
    Load,
    Row,
    below_half,
    format_table,
    median_pair,
    parse_wrk,
    percentile,
    reached_half,
    refused,
    verdict,
    width,
)
from procurement.benchmark.scale import label

WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:40123/notices
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    20.13ms    3.02ms  41.20ms   80.00%
  1600 requests in 2.00s, 30.52MB read
Requests/sec:    800.00
Transfer/sec:     15.26MB
BENCH {"requests":1600,"duration_us":2000000,"connect":0,"read":1,"write":0,"status":2,"timeout":0,"p50_us":19500,"p99_us":38250}
"""


def test_percentile_is_the_nearest_rank():
    samples = [float(n) for n in range(100, 0, -1)]
    assert percentile(samples, 50) == 50
    assert percentile(samples, 99) == 99
    assert percentile(samples, 100) == 100
    assert percentile([7.0], 99) == 7


def test_percentile_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        percentile([], 50)


def test_wrk_summary_is_read_from_our_line():
    load = parse_wrk(WRK_OUTPUT)
    assert load == Load(requests=1600, seconds=2.0, errors=3, p50_ms=19.5, p99_ms=38.25)
    assert load.rps == 800


def test_wrk_output_without_our_line_is_an_error():
    with pytest.raises(ValueError, match="no summary"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


def load(rps: float) -> Load:
    return Load(requests=int(rps * 10), seconds=10, errors=0, p50_ms=1, p99_ms=2)


def test_the_median_pair_is_kept_with_its_ratio():
    pairs = [(load(50), load(100)), (load(10), load(100)), (load(90), load(100))]
    project, bare, ratio = median_pair(pairs)
    assert (project.rps, bare.rps, ratio) == (50, 100, 0.5)


def test_of_two_pairs_the_lower_one_is_kept():
    project, _bare, ratio = median_pair([(load(80), load(100)), (load(20), load(100))])
    assert (project.rps, ratio) == (20, 0.2)


def test_a_ratio_goal_passes_fails_and_fails_below_half():
    assert verdict(Row("home /", "", "", "", 0.40, "home")) == "pass"
    assert verdict(Row("home /", "", "", "", 0.39, "home")) == "FAIL"
    assert verdict(Row("home /", "", "", "", 0.20, "home")) == "FAIL"
    assert verdict(Row("home /", "", "", "", 0.19, "home")) == "FAIL½"


def test_a_time_goal_fails_below_half_when_more_than_twice_the_target():
    assert verdict(Row("pdf", "", "", "", 5, "pdf.ms")) == "pass"
    assert verdict(Row("pdf", "", "", "", 10, "pdf.ms")) == "FAIL"
    assert verdict(Row("pdf", "", "", "", 10.1, "pdf.ms")) == "FAIL½"


def test_no_goal_no_verdict_and_unmeasured_is_not_judged():
    assert verdict(Row("/notices", "1k", "", "", 0.01, None)) == ""
    unmeasured = Row("upload", "", "", "", None, "upload.16")
    assert verdict(unmeasured) == "n/a"
    assert below_half([unmeasured]) == []


def test_below_half_names_only_what_ci_refuses():
    rows = [Row("a", "", "", "", 0.3, "home"), Row("b", "", "", "", 0.1, "home"), Row("c", "", "", "", 300, "rss.mb")]
    assert [r.figure for r in below_half(rows)] == ["b"]


def test_every_goal_has_a_direction_and_a_text():
    assert all(isinstance(g, Goal) and g.text for g in GOALS.values())
    assert GOALS["notices.postgres"].target > GOALS["notices.sqlite"].target


def test_the_table_aligns_chinese_text_by_terminal_columns():
    table = format_table(
        [
            Row("/notices", "SQLite, 100k notices", "32/s", "2,000/s", 0.016, "notices.sqlite"),
            Row("登录时其他页面 p99", "8 次/秒", "900 ms", "300 ms", 0.33, "login.p99"),
        ]
    )
    lines = table.splitlines()
    assert lines[0].startswith("figure")
    assert "FAIL½" in lines[2] and "≥ 0.4" in lines[2]
    assert "0.02" in lines[2] and "0.33" in lines[3]
    goal_column = [width(line[: line.index("≥")]) for line in lines[2:]]
    assert goal_column[0] == goal_column[1]


def test_sizes_are_named_in_thousands():
    assert [label(n) for n in (1_000, 10_000, 100_000, 500)] == ["1k", "10k", "100k", "500"]


def test_the_mixed_script_cycles_the_paths_and_stops_at_its_count():
    from procurement.benchmark.harness import mixed_lua, upload_lua

    script = mixed_lua(["/", "/notices"], 250)
    assert '{"/", "/notices"}' in script and "n > 250" in script
    assert "abc123-" in upload_lua("abc123")  # every run's files differ from the last run's


def test_a_sweep_stopped_at_its_bound_is_extrapolated_to_10000():
    from procurement.benchmark.run import sweep_row

    partial = sweep_row(10_000, 2_500, 60.0)
    assert partial.value == 240 and "extrapolated" in partial.project and verdict(partial) == "FAIL½"
    complete = sweep_row(10_000, 10_000, 4.0)
    assert complete.project == "4.0 s" and verdict(complete) == "pass"
    assert sweep_row(1_000, 0, 10.0).value is None


def test_throughput_keeps_two_decimals_below_ten_per_second():
    from procurement.benchmark.report import rps

    assert rps(Load(3, 6.25, 0, 2000, 2100)) == "0.48/s"
    assert rps(Load(24_000, 2, 0, 1, 2)) == "12,000/s"


def test_ci_refuses_a_figure_below_half_unless_it_is_known_not_to_reach_half_yet():
    rows = [
        Row("home", "", "", "", 0.1, "home"),
        Row("pdf", "", "", "", 30.0, "pdf.ms"),
        Row("r", "", "", "", 20, "ranking.ms"),
    ]
    assert [r.figure for r in refused(rows, {"home"})] == ["pdf"]
    assert [r.figure for r in refused(rows, set())] == ["home", "pdf"]


def test_a_known_figure_that_reaches_half_its_goal_is_named_for_removal():
    rows = [Row("home", "", "", "", 0.25, "home"), Row("tender", "", "", "", 0.1, "tender")]
    assert [r.figure for r in reached_half(rows, {"home", "tender"})] == ["home"]


def test_the_known_list_names_only_real_goals():
    from procurement.benchmark.goals import GOALS, NOT_YET_HALF

    assert NOT_YET_HALF <= set(GOALS)
