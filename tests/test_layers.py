"""Dependencies run one way: the application stands on collectors/ and analysis/, and all
three on the base layer mediastance/core/, never the reverse.

Every .py file under collectors/, analysis/ and mediastance/core/ is parsed (ast, so an
import inside a function counts as much as one at the top), and any import of a
``mediastance`` module outside ``mediastance.core`` fails the test with the file, line and
import. The base layer also imports neither collectors/ nor analysis/.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOWER = ("collectors", "analysis", "mediastance/core")
BASE = "mediastance.core"


def module_of(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, root: Path = ROOT) -> list[tuple[int, str, str]]:
    """(line, module, the statement as written) for every import in the file.

    ``from a import b`` gives ``a``, and ``a.b`` too when b is a module of the repository;
    a relative import is resolved against the file's package;
    ``importlib.import_module("…")`` with a literal string counts.
    """
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    package = module_of(path, root)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    lines = source.splitlines()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            submodules = [f"{base}.{alias.name}" for alias in node.names]
            names = [base, *(name for name in submodules if is_module(name, root))]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        else:
            continue
        written = " ".join(line.strip() for line in lines[node.lineno - 1 : node.end_lineno])
        found += [(node.lineno, name, written) for name in names]
    return found


def is_module(name: str, root: Path = ROOT) -> bool:
    """Whether ``name`` is a module or package of this repository (not an attribute)."""
    path = root.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def violation(importer: str, imported: str) -> str | None:
    top = imported.split(".")[0]
    if top == "mediastance":
        # The package itself (from mediastance import __version__) runs only its light
        # __init__, which test_the_package_init_stays_light keeps so.
        if imported in ("mediastance", BASE) or imported.startswith(BASE + "."):
            return None
        return f"imports the application module {imported} (outside {BASE})"
    if importer.startswith(BASE) and top in ("collectors", "analysis"):
        return f"imports {top}/ ({imported}): the base layer stands on nothing above it"
    return None


def violations(root: Path = ROOT) -> list[str]:
    out = []
    for folder in LOWER:
        for path in sorted((root / folder).rglob("*.py")):
            for line, imported, written in imported_modules(path, root):
                why = violation(module_of(path, root), imported)
                if why:
                    where = path.relative_to(root)
                    out.append(f"{where}:{line}: {written.strip()!r} {why}")
    return out


def test_collectors_analysis_and_the_base_layer_import_nothing_above_them():
    found = violations()
    assert not found, "wrong-way imports:\n" + "\n".join(found)


def test_the_package_init_stays_light():
    init = ROOT / "mediastance" / "__init__.py"
    assert [m for _, m, _ in imported_modules(init) if m.startswith("mediastance")] == []


def test_every_lower_folder_has_python_files():
    """A renamed folder must not make the check above pass by finding nothing."""
    for folder in LOWER:
        assert list((ROOT / folder).glob("*.py")), folder


@pytest.mark.parametrize(
    "folder, line, expected",
    [
        (
            "collectors",
            "def f():\n    from mediastance.run import run_pipeline\n",
            "collectors/bad.py:2: 'from mediastance.run import run_pipeline' imports the "
            "application module mediastance.run (outside mediastance.core)",
        ),
        (
            "analysis",
            "import mediastance.cli\n",
            "analysis/bad.py:1: 'import mediastance.cli' imports the application module "
            "mediastance.cli (outside mediastance.core)",
        ),
        (
            "analysis",
            "from mediastance import search\n",
            "analysis/bad.py:1: 'from mediastance import search' imports the application "
            "module mediastance.search (outside mediastance.core)",
        ),
        (
            "mediastance/core",
            "from .. import serve\n",
            "mediastance/core/bad.py:1: 'from .. import serve' imports the application "
            "module mediastance.serve (outside mediastance.core)",
        ),
        (
            "mediastance/core",
            "import importlib\nm = importlib.import_module('mediastance.alerts')\n",
            "mediastance/core/bad.py:2: \"m = importlib.import_module('mediastance.alerts')\" "
            "imports the application module mediastance.alerts (outside mediastance.core)",
        ),
        (
            "mediastance/core",
            "from collectors.fetch import Fetcher\n",
            "mediastance/core/bad.py:1: 'from collectors.fetch import Fetcher' imports "
            "collectors/ (collectors.fetch): the base layer stands on nothing above it",
        ),
    ],
)
def test_a_wrong_way_import_is_named_with_its_file_and_line(tmp_path, folder, line, expected):
    """The check on a copy of the tree with one bad file added: it fails, and says where."""
    for name in ("collectors", "analysis", "mediastance"):
        target = tmp_path / name
        target.mkdir()
        for path in (ROOT / name).rglob("*.py"):
            copy = target / path.relative_to(ROOT / name)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(path.read_bytes())
    (tmp_path / folder / "bad.py").write_text(line)
    assert violations(tmp_path) == [expected]


def test_allowed_imports_pass():
    assert violation("analysis.pipeline", "mediastance.core.storage") is None
    assert violation("mediastance.core.storage", "mediastance.core.views") is None
    assert violation("analysis.pipeline", "mediastance") is None  # __version__
    assert violation("collectors.rss", "collectors.feeds") is None
    assert violation("analysis.stories", "collectors.dedup") is None
