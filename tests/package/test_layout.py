"""The package's shape: one import name, dependencies pointing one way, a wheel of one package."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import unn_ingest

ROOT = Path(unn_ingest.__file__).parent  # unn_ingest/, whose subpackages are the top folders
OURS = "unn_ingest"
TOP_FOLDERS = ("flows", "extractors", "storage", "config", "replica")
# What each layer may not import: the house style's one-way dependencies.
EDGE = ("unn_ingest.flows", "unn_ingest.replica", "httpx", "prefect")
FORBIDDEN = {
    "extractors": (*EDGE, "unn_ingest.storage", "unn_ingest.config", "sqlalchemy"),
    "storage": (*EDGE, "unn_ingest.config"),
    "config": (*EDGE, "unn_ingest.storage"),
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_dependencies_point_one_way(layer: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / layer).rglob("*.py"))
        for name in sorted(imports_of(path))
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[layer])
    ]
    assert wrong == []


def test_every_module_imports_our_code_by_its_one_name() -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted(ROOT.rglob("*.py"))
        for name in sorted(imports_of(path))
        if name.split(".")[0] in TOP_FOLDERS
    ]
    assert wrong == []


@pytest.mark.slow
def test_the_wheel_installs_one_top_level_package_with_its_data(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy: building writes build/ and *.egg-info beside the code
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("pyproject.toml", "README.md", "unn_ingest", *TOP_FOLDERS):
        path = ROOT.parent / name
        if path.is_dir():
            shutil.copytree(path, source / name, symlinks=True, ignore=skip)
        else:
            source.mkdir(exist_ok=True)
            shutil.copy(path, source / name)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), "."],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp_path.glob("unn_ingest-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if ".dist-info/" not in name}
    assert tops == {OURS}
    for needed in (
        "unn_ingest/py.typed",
        "unn_ingest/config/unn.toml",
        "unn_ingest/storage/alembic.ini",
        "unn_ingest/storage/migrations/versions/0001_initial.py",
        "unn_ingest/flows/cli/app.py",
        "unn_ingest/replica/templates/weather.toml",
    ):
        assert needed in names
