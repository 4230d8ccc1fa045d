"""The package's shape: module imports form no cycle, the book's helpers stay apart from the
algorithms, and one function holds the training loop."""

import ast
from pathlib import Path

import bplib

PACKAGE = Path(bplib.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """The bplib modules that `path` imports (relative imports resolved)."""
    package = (module_name(path) if path.name == "__init__.py"
               else module_name(path).rpartition(".")[0])
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = (f"{base}.{node.module}" if node.level and node.module
                      else (node.module or base))
            # `from . import x` imports the module x when x is one
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in MODULES else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in MODULES and name != module_name(path)}


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}
GRAPH = {name: imports(path) for name, path in MODULES.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle in the directed graph, as a path that returns to its start, or None."""
    done, path = set(), []

    def visit(name):
        if name in path:
            return path[path.index(name):] + [name]
        if name in done:
            return None
        path.append(name)
        for target in sorted(graph.get(name, ())):
            if cycle := visit(target):
                return cycle
        path.pop()
        done.add(name)
        return None

    return next((cycle for name in sorted(graph) if (cycle := visit(name))), None)


def test_the_import_graph_has_no_cycle():
    # A package imports its own modules by definition; a cycle among the modules is what matters.
    modules = {name: {t for t in targets if MODULES[t].name != "__init__.py"}
               for name, targets in GRAPH.items() if MODULES[name].name != "__init__.py"}
    assert len(modules) > 10 and sum(map(len, modules.values())) > 10
    assert find_cycle(modules) is None


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_algorithms_never_import_the_book_helpers():
    for name, targets in GRAPH.items():
        if not name.startswith("bplib.book") and name != "bplib":
            assert not any(t.startswith("bplib.book") for t in targets), name


def test_one_function_in_the_package_shuffles_and_steps():
    """The training loop lives in training._fit alone: no second copy of the epoch loop."""
    owners = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and "permutation" in ast.unparse(node):
                owners.append(f"{name}.{node.name}")
    assert owners == ["bplib.training._fit"]


def test_only_checks_raise_for_bad_arguments_in_the_network_and_training_modules():
    """network, training, deep, batchnorm and diagnostics leave every input check to _checks."""
    for name in ["network", "training", "deep", "batchnorm", "diagnostics"]:
        source = MODULES[f"bplib.{name}"].read_text()
        raised = [line.strip() for line in source.splitlines()
                  if "raise TypeError" in line or "raise ValueError" in line]
        assert raised == [], (name, raised)
