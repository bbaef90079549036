"""Render a run directory as report/index.html (open it straight from disk)."""

import html
from pathlib import Path

import jinja2

from harness.conformance.compare import conformance
from harness.report import bench_section, figures, tables
from harness.results.rundir import RunDir

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("harness.report", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
)


def _status_cell(value: str) -> str:
    cls = {"pass": "pass", "fail": "fail"}.get(value, "na")
    return f'<td class="{cls}">{html.escape(value or "—")}</td>'


def _matrix_html(matrix) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in matrix.columns)
    rows = "".join(
        f"<tr><th>{html.escape(str(idx))}</th>{''.join(_status_cell(v) for v in row)}</tr>"
        for idx, row in matrix.iterrows()
    )
    return f'<table class="matrix"><tr><th>scenario</th>{head}</tr>{rows}</table>'


def render(run: RunDir) -> Path:
    manifest = run.manifest()
    results, boots = run.results(), run.boots()
    variants = manifest.get("variants") or sorted({r["variant"] for r in results})
    out_dir = run.path / "report"
    out_dir.mkdir(exist_ok=True)

    boots_df = tables.boots_frame(boots)
    metrics_df = tables.metrics_frame(results)
    figs = [
        f
        for f in (
            figures.boot_times(boots_df, manifest, out_dir / "boot-times.png"),
            figures.metrics(metrics_df, manifest, out_dir / "metrics.png"),
        )
        if f
    ]
    bench = bench_section.build(run.samples(), run.bench_failures(), manifest, out_dir, variants)
    matrix = tables.scenario_matrix(results, variants)
    outcomes = tables.results_frame(results)
    page = _ENV.get_template("report.html.j2").render(
        manifest=manifest,
        matrix_html=_matrix_html(matrix),
        passed=int((outcomes["status"] == "pass").sum()),
        total=len(outcomes),
        metrics_html=tables.metrics_table(results, variants).to_html(
            index=False, float_format=lambda v: f"{v:.4g}", na_rep="—", classes="data"
        ),
        has_metrics=not metrics_df.empty,
        boots_html=boots_df.to_html(index=False, na_rep="—", classes="data"),
        failures=tables.failures(results),
        attacks=tables.attack_rows(results, variants),
        conformance=conformance(results, variants),
        variants=variants,
        figures=[f.name for f in figs],
        bench=bench,
    )
    index = out_dir / "index.html"
    index.write_text(page)
    return index
