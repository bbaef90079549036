"""Each test's verdict from kselftest output (KTAP: "ok N name", "not ok N name # SKIP").

Two shapes: run_kselftest.sh reports each program on a top-level line
"ok N selftests: TARGET: PROGRAM", after the program's own output indented by "# ";
a kselftest_harness program run directly reports each of its tests on top-level
lines. A program's totals line ("# Totals: pass:17 fail:0 ...") is kept with its
verdict, so a program that passes on both kernels but skips more on one differs.
"""

import re

_RESULT = re.compile(r"^(?P<not>not )?ok \d+ (?P<name>[^#]*?)\s*(?:#\s*(?P<directive>.*))?$")
_NESTED_TOTALS = re.compile(r"^# # (Totals: .*)$")
_SELFTEST = re.compile(r"^selftests: (?P<target>[^:]+): (?P<program>.+)$")


def _verdict(failed: bool, directive: str) -> str:
    word = directive.split(maxsplit=1)[0].upper() if directive else ""
    if word == "SKIP":
        return "skip"
    if word == "XFAIL":
        return "xfail"
    if failed:
        return "timeout" if "TIMEOUT" in directive.upper() else "fail"
    return "pass"


def parse_verdicts(output: str) -> dict[str, str]:
    """test name -> pass | fail | skip | xfail | timeout, with the program's totals
    appended in brackets where it printed them. Names are "TARGET:PROGRAM" for
    run_kselftest.sh's lines and the test's own name otherwise."""
    verdicts: dict[str, str] = {}
    totals = ""
    for raw in output.splitlines():
        line = raw.rstrip()
        if m := _NESTED_TOTALS.match(line):
            totals = m.group(1)
            continue
        m = _RESULT.match(line)
        if m is None:
            continue
        name = m.group("name").strip()
        if sm := _SELFTEST.match(name):
            name = f"{sm.group('target')}:{sm.group('program')}"
        verdict = _verdict(m.group("not") is not None, m.group("directive") or "")
        verdicts[name] = f"{verdict} [{totals}]" if totals else verdict
        totals = ""
    return verdicts
