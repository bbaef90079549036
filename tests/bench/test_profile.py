import json
from dataclasses import replace
from pathlib import Path

import pytest

from harness.bench.profile import load_profile
from harness.bench.stats import boots_needed
from harness.errors import UserError

GOOD = """
[profile.tiny]
description = "t"
boots = 1
repetitions = 2
workloads = ["table3", "depth"]
lmbench_repetitions = 1
lmbench_n = 1
lmbench_file_mb = 1
mmap_iterations = 100
table3_nested = [1, 10]
depths = [1, 32]
siblings = [1, 5]
ab_repetitions = 1
ab_requests = 10
ab_clients = [1, 2]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profiles.toml"
    path.write_text(text)
    return path


def test_committed_profiles_load() -> None:
    quick, paper = load_profile("quick"), load_profile("paper")
    # secns against secns judges 48 series at once (Table 3 8, LMbench 25, Apache 8,
    # depth 4, siblings 3): fewer boots than that family needs could decide nothing.
    assert quick.boots >= boots_needed(48) and paper.boots > quick.boots
    assert max(paper.depths) == 32 and max(paper.siblings) == 100
    assert 200 in quick.ab_clients and 1 in quick.ab_clients


def test_mmap_profile_measures_the_default_profiles_mmap_figures_alike() -> None:
    quick, mmap = load_profile("quick"), load_profile("mmap")
    assert mmap.workloads == ("table3", "depth", "siblings")
    same = ("boots", "repetitions", "mmap_iterations", "table3_nested", "depths", "siblings")
    assert all(getattr(mmap, f) == getattr(quick, f) for f in same)


def test_profile_fields_and_settings(tmp_path: Path) -> None:
    p = load_profile("tiny", _write(tmp_path, GOOD))
    assert (p.boots, p.repetitions, p.depths, p.workloads) == (1, 2, (1, 32), ("table3", "depth"))
    assert "name" not in p.settings() and p.settings()["ab_clients"] == (1, 2)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("boots = 1", "boots = 0"), "'boots' must be greater than 0, not 0"),
        (
            ("depths = [1, 32]", "depths = [1, 33]"),
            r"'depths\[1\]' must be less than or equal to 32, not 33",
        ),
        (
            ('workloads = ["table3", "depth"]', 'workloads = ["table9"]'),
            r"'workloads\[0\]' must be 'table3', .* or 'siblings', not 'table9'$",
        ),
        (("ab_requests = 10", "ab_requests = 10\nbogus = 1"), "unknown key 'bogus'"),
        (
            ("siblings = [1, 5]", 'siblings = ["x"]'),
            r"'siblings\[0\]' must be an integer, not 'x'$",
        ),
        (("mmap_iterations = 100\n", ""), "missing key 'mmap_iterations'"),
        (('description = "t"', "description = 1"), "'description' must be a string, not 1"),
        (("boots = 1", "boots = true"), "'boots' must be an integer, not True"),
        (("boots = 1", 'boots = "1"'), "'boots' must be an integer, not '1'"),
        (("boots = 1", "boots = 1.0"), "'boots' must be an integer, not 1.0"),
        (("repetitions = 2", "repetitions = nan"), "'repetitions' must be an integer, not nan"),
        (("lmbench_n = 1", "lmbench_n = -3"), "'lmbench_n' must be greater than 0, not -3"),
        (
            ("ab_clients = [1, 2]", "ab_clients = [1, 0]"),
            r"'ab_clients\[1\]' must be greater than 0",
        ),
        (
            ("ab_clients = [1, 2]", "ab_clients = []"),
            "'ab_clients' must have at least 1 item, not 0",
        ),
        (("depths = [1, 32]", "depths = 32"), "'depths' must be an array, not 32"),
        (('workloads = ["table3", "depth"]', "workloads = []"), "'workloads' must have at least 1"),
        (('description = "t"', 'description = "t"\nname = "t"'), "unknown key 'name'$"),
    ],
)
def test_bad_profiles_name_file_profile_and_field(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = _write(tmp_path, GOOD.replace(*change))
    with pytest.raises(UserError, match=message) as err:
        load_profile("tiny", path)
    assert str(path) in str(err.value) and "[profile.tiny]" in str(err.value)


def test_unknown_top_level_table(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD + "[profiles.x]\n")
    with pytest.raises(UserError, match=r"profiles\.toml: unknown key 'profiles'$"):
        load_profile("tiny", path)


def test_a_broken_profile_does_not_stop_another(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD + "[profile.broken]\nboots = 0\n")
    assert load_profile("tiny", path).boots == 1


def test_a_bad_recorded_profile_names_the_manifest() -> None:
    from harness.pipeline import recorded_profile

    settings = load_profile("quick").settings()
    with pytest.raises(UserError, match=r"of the resumed run: 'boots' must be an integer, not '8'"):
        recorded_profile({"profile": {"name": "quick", **settings, "boots": "8"}})


def test_unknown_profile(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="unknown profile 'x' \\(known: tiny\\)"):
        load_profile("x", _write(tmp_path, GOOD))


def test_a_resumed_run_gets_the_profile_it_recorded() -> None:
    from harness.pipeline import recorded_profile

    p = replace(load_profile("quick"), boots=1)
    manifest = json.loads(json.dumps({"profile": {"name": p.name, **p.settings()}}))
    assert recorded_profile(manifest) == p
    assert recorded_profile({"profile": None}) is None
