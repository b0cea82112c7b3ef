"""Realistic student notebooks, built from the reference solutions with nbformat.

Each builder returns a notebook (a dict, nbformat 4) whose definitions are a ``.py`` twin's:
what a student who worked in Jupyter, JupyterLab or Colab hands in. They are small and are
written from the solutions each time, so they cannot drift from them.
"""

import base64
import copy
import json
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from grader.commands.release import stub_cells

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
ACTIVATIONS = (SOLUTIONS / "ex01_activations" / "activations.py").read_text(encoding="utf-8")
LOSSES = (SOLUTIONS / "ex02_losses" / "losses.py").read_text(encoding="utf-8")
PNG = base64.b64encode(bytes.fromhex("89504e470d0a1a0a") + bytes(64)).decode()
TRAINING = """\
import time

history = []
for epoch in range(1000):
    time.sleep(60)  # "training": minutes, were the cell ever run
    history.append(epoch)
print(history[-1])
"""
"""A top-level cell that would take 1000 minutes if grading ran it."""


def definitions(source: str) -> list[str]:
    """A module's text cut into cells as a student pastes it: the imports and constants first,
    then each function or class (as ``grader release`` cuts a stub)."""
    return [cell + "\n" for cell in stub_cells(source)]


def _cells(sources: list[str]) -> list[Any]:
    return [new_code_cell(source) for source in sources]


def colab(sources: list[str]) -> dict[str, Any]:
    """Saved by Colab: nbformat 4.0, ids in cell metadata, a GPU, widget state, outputs (a
    stream, an image, an execution result)."""
    code = _cells(sources)
    for number, cell in enumerate(code, start=1):
        cell.metadata = {"id": f"c{number:04d}", "colab": {"base_uri": "https://localhost:8080/"}}
        cell.execution_count = number
        cell.outputs = [
            new_output("stream", name="stdout", text=f"cell {number} ran\n"),
            new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
            new_output("execute_result", data={"text/plain": "0.5"}, execution_count=number),
        ]
    cells = [new_markdown_cell("# Homework 1\nRun every cell, then hand in this file."), *code]
    cells += _cells(["from google.colab import drive\ndrive.mount('/content/drive')\n"])
    notebook = new_notebook(cells=cells)
    notebook.nbformat_minor = 0
    notebook.metadata = {
        "colab": {"provenance": [], "gpuType": "T4", "toc_visible": True},
        "kernelspec": {"name": "python3", "display_name": "Python 3"},
        "language_info": {"name": "python"},
        "accelerator": "GPU",
        "widgets": {
            "application/vnd.jupyter.widget-state+json": {
                "0f3a": {
                    "model_module": "@jupyter-widgets/controls",
                    "model_name": "FloatProgressModel",
                    "model_module_version": "1.5.0",
                    "state": {"value": 100, "max": 100, "bar_style": "success"},
                }
            }
        },
    }
    as_dict = _plain(notebook)
    for cell in as_dict["cells"]:
        cell.pop("id", None)  # 4.0 has no cell ids; Colab keeps them in the metadata
    return as_dict


def jupyter(sources: list[str], minor: int = 5) -> dict[str, Any]:
    """Saved by Jupyter: nbformat 4.``minor`` (4.5 has cell ids, 4.4 has none)."""
    notebook = new_notebook(cells=_cells(sources))
    notebook.nbformat_minor = minor
    notebook.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python", "version": "3.11.9"},
    }
    as_dict = _plain(notebook)
    if minor < 5:
        for cell in as_dict["cells"]:
            cell.pop("id", None)
    return as_dict


def _plain(notebook: Any) -> dict[str, Any]:
    return json.loads(json.dumps(notebook))


def write(notebook: dict[str, Any], path: Path) -> Path:
    """The notebook as Jupyter writes it (one-space indent, a final newline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    nbformat.reads(text, as_version=4)  # every notebook here is one nbformat can read
    path.write_text(text, encoding="utf-8")
    return path


def with_new_outputs(notebook: dict[str, Any]) -> dict[str, Any]:
    """The same notebook run again: other execution counts and outputs."""
    again = copy.deepcopy(notebook)
    for cell in again["cells"]:
        if cell["cell_type"] == "code":
            cell["execution_count"] = (cell.get("execution_count") or 0) + 40
            cell["outputs"] = [new_output("stream", name="stdout", text="run again\n")]
    return again
