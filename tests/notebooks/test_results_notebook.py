"""notebooks/results.ipynb runs top to bottom on the committed sample run."""

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from harness.paths import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebooks" / "results.ipynb"
SAMPLE_RUN = REPO_ROOT / "tests" / "data" / "sample-run"


def test_notebook_redraws_the_figures_of_a_run(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SECNS_RUN_DIR", str(SAMPLE_RUN))
    monkeypatch.setenv("SECNS_FIGURES_DIR", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(REPO_ROOT)}}
    ).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["apache.png", "scaling.png", "table3.png"]
    last = nb.cells[-1].outputs[-1]["data"]["text/plain"]
    assert "table3.png" in last and "apache.png" in last
    text = "".join(o.get("text", "") for o in outputs)
    assert "geometric mean:" in text and os.path.basename(SAMPLE_RUN) in text
