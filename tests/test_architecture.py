"""The layout of the code keeps the shape docs/architecture.md describes."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import PROJECT_DIR

SOURCE = PROJECT_DIR / "src" / "quartier"
CORE = SOURCE / "analysis"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _modules() -> list[Path]:
    return sorted(p for p in SOURCE.rglob("*.py") if "migrations" not in p.parts)


def _code_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function without its docstring (examples in it are documentation)."""
    start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
    lines = (node.end_lineno or node.lineno) - start + 1
    first = node.body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        lines -= (first.end_lineno or first.lineno) - first.lineno + 1
    return lines


def test_no_module_is_longer_than_400_lines() -> None:
    long = {
        str(p.relative_to(SOURCE)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_has_more_than_60_lines_of_code() -> None:
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            is_function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            if is_function and (n := _code_lines(node)) > MAX_FUNCTION_LINES:
                long[f"{path.relative_to(SOURCE)}:{node.name}"] = n
    assert long == {}


def _core_packages() -> list[Path]:
    return sorted(p.parent for p in CORE.glob("*/__init__.py"))


def _public_names(init: Path) -> list[str]:
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return [ast.literal_eval(e) for e in node.value.elts]  # type: ignore[attr-defined]
    return []


def test_the_core_is_packages_of_private_modules_behind_a_public_root() -> None:
    assert [p.name for p in CORE.glob("*.py")] == ["__init__.py"]
    packages = _core_packages()
    assert {p.name for p in packages} >= {
        "tables",
        "geo",
        "catalogue",
        "indicators",
        "indices",
        "disclosure",
        "musterstadt",
    }
    for package in packages:
        public = [p.name for p in package.glob("*.py") if not p.name.startswith("_")]
        assert public == [], f"{package.name}: modules must be private (start with _)"
        assert _public_names(package / "__init__.py"), f"{package.name}: no __all__"


@pytest.mark.parametrize("package", [p.name for p in _core_packages()])
def test_every_public_name_of_a_package_exists(package: str) -> None:
    module = __import__(f"quartier.analysis.{package}", fromlist=["__all__"])
    names = _public_names(CORE / package / "__init__.py")
    assert sorted(names) == sorted(module.__all__)
    assert [name for name in names if not hasattr(module, name)] == []


def _lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=project,
        env={"PYTHONPATH": str(project / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("project")
    shutil.copy(PROJECT_DIR / "pyproject.toml", copy)
    shutil.copytree(SOURCE, copy / "src" / "quartier", ignore=shutil.ignore_patterns("*.pyc"))
    return copy


def test_the_import_contracts_hold(project_copy: Path) -> None:
    result = _lint_imports(project_copy)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        (
            "areas/_probe.py",
            "from quartier.analysis.geo._shapes import area_km2\n",
            "The rest of quartier imports the analysis core only through its package roots",
        ),
        (
            "analysis/catalogue/_probe.py",
            "from quartier.analysis.indicators import compute_indicators\n",
            "The packages of the analysis core are layered",
        ),
        (
            "analysis/tables/_probe.py",
            "import django\n",
            "The analysis core does not import Django",
        ),
    ],
)
def test_an_import_against_the_architecture_breaks_a_contract(
    project_copy: Path, module: str, line: str, broken: str
) -> None:
    probe = project_copy / "src" / "quartier" / module
    probe.write_text(line, encoding="utf-8")
    try:
        result = _lint_imports(project_copy)
    finally:
        probe.unlink()
    assert result.returncode != 0
    assert f"{broken} BROKEN" in result.stdout


def test_the_architecture_document_names_every_package_and_module() -> None:
    document = (PROJECT_DIR / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip().strip("`"): line
        for line in document.splitlines()
        if line.startswith("| `")
    }
    packages = {p.name for p in _core_packages()}
    assert set(rows) == packages
    unnamed = {
        f"{package}/{module.stem}"
        for package in packages
        for module in (CORE / package).glob("_*.py")
        if module.name != "__init__.py" and f"`{module.stem}`" not in rows[package]
    }
    assert unnamed == set()
    picture = document.split("```")[1]
    assert [name for name in packages if name not in picture] == []


@pytest.mark.parametrize("package", [p.name for p in _core_packages()])
def test_the_tests_of_a_package_are_named_after_its_modules(package: str) -> None:
    """`tests/analysis/<package>/test_<module>[_<aspect>].py`, or `test_<package>.py`."""
    folder = PROJECT_DIR / "tests" / "analysis" / package
    assert folder.is_dir(), f"tests/analysis/{package}/ is missing"
    modules = {p.stem.lstrip("_") for p in (CORE / package).glob("_*.py")} - {"init"}
    allowed = modules | {package}
    stray = [
        test.name
        for test in folder.glob("test_*.py")
        if not any(
            test.stem == f"test_{name}" or test.stem.startswith(f"test_{name}_") for name in allowed
        )
    ]
    assert stray == []
