from pathlib import Path

from harness.report import bench_section
from harness.report.bench_tables import samples_frame, table3
from tests.bench.fake_samples import lmbench_run, sample

MANIFEST = {"accel": "tcg", "timing": "icount", "profile": {"repetitions": 2}}


def _table3_and_friends() -> list[dict]:
    out = []
    for rnd in (1, 2):
        for rep in (1, 2):
            for variant in ("vanilla", "secns"):
                out.append(
                    sample(variant, rnd, rep, "table3/none", 9.0, config="no security", nested=0)
                )
                out.append(
                    sample(variant, rnd, rep, "table3/native", 10.0, config="native", nested=0)
                )
                for clients in (1, 50):
                    out.append(
                        sample(
                            variant,
                            rnd,
                            rep,
                            f"apache/plain/c{clients}",
                            500.0 + rnd,
                            metric="ab_requests_per_s",
                            unit="req/s",
                            higher_is_better=True,
                            policy="no own policy",
                            clients=clients,
                        )
                    )
            out.append(
                sample("secns", rnd, rep, "table3/ns10", 10.2, config="native + 10 NS", nested=10)
            )
            out.append(
                sample(
                    "secns",
                    rnd,
                    rep,
                    "table3/native-ns-alive",
                    10.1,
                    config="native, 1 NS alive",
                    nested=0,
                )
            )
            for d in (1, 32):
                out.append(sample("secns", rnd, rep, f"depth/{d}", 10.0 + d / 100, depth=d))
            for k in (1, 100):
                out.append(sample("secns", rnd, rep, f"siblings/{k}", 10.1, siblings=k))
    return out


def test_table3_sits_beside_the_paper() -> None:
    t = table3(samples_frame(_table3_and_friends()), ["vanilla", "secns"])
    rows = t.set_index("configuration")
    assert rows.loc["native + 10 NS", "secns slowdown"] == "+2.00%"
    assert rows.loc["native + 10 NS", "paper slowdown"] == "3.5%"
    assert rows.loc["native + 10 NS", "vanilla µs (stdev)"] == "—"
    assert rows.loc["no security", "vanilla µs (stdev)"] == "9.000 (0.000)"
    assert rows.loc["native", "paper µs (stdev)"] == "1.26 (0.01)"
    # Our rows beyond the paper's: slowdown against native, no paper figures.
    assert rows.loc["native, 1 NS alive", "secns slowdown"] == "+1.00%"
    assert rows.loc["native, 1 NS alive", "paper slowdown"] == ""
    assert rows.loc["native, NS gone", "secns µs (stdev)"] == "—"


def test_section_has_every_table_and_figure(tmp_path: Path) -> None:
    samples = _table3_and_friends() + lmbench_run(0.05)
    section = bench_section.build(samples, [], MANIFEST, tmp_path, ["vanilla", "secns"])
    assert section is not None and section.boots == 5
    assert set(section.tables) == {
        "lmbench",
        "apache",
        "table3",
        "table3_paper",
        "depth",
        "siblings",
    }
    assert section.figures == ["table3.png", "apache.png", "scaling.png"]
    assert all((tmp_path / f).stat().st_size > 10_000 for f in section.figures)
    assert section.lmbench_geomean.startswith("+5.00% (95% CI")
    assert section.lmbench_geomean.endswith("over 2 series")
    assert "regression" in section.tables["lmbench"]


def test_no_samples_no_section(tmp_path: Path) -> None:
    assert bench_section.build([], [], MANIFEST, tmp_path, ["vanilla", "secns"]) is None


def test_screenshot_command_is_an_argv_list_for_a_file_url(tmp_path: Path) -> None:
    from harness.report.screenshot import screenshot_argv

    argv = screenshot_argv(tmp_path / "index.html", tmp_path / "s.png", (800, 600))
    assert argv[0] == "chromium" and "--headless" in argv and "--window-size=800,600" in argv
    assert argv[-1] == (tmp_path / "index.html").as_uri()
    assert f"--screenshot={tmp_path / 's.png'}" in argv
