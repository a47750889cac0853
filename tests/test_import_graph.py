"""The subpackages of finvision import each other in one direction only."""

import ast
from pathlib import Path

import finvision

PACKAGE = Path(finvision.__file__).parent


def imported_modules(path: Path) -> set[str]:
    """Every ``finvision...`` module a file imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name.startswith("finvision.")}


def unit(module: str) -> str:
    """The subpackage (or floor module, such as ``finvision._files``) a module belongs to."""
    return ".".join(module.split(".")[:2])


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        if relative.parts == ("finvision", "__init__"):
            continue  # the lazy facade, which loads every subpackage on first use
        source = unit(".".join(relative.parts))
        targets = {unit(name) for name in imported_modules(path)} - {source}
        graph.setdefault(source, set()).update(targets)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle found by a depth-first search, each as the path that closes it."""
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_the_search_finds_a_cycle_it_is_shown():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_subpackages_import_each_other_without_cycles():
    graph = package_graph()
    assert {"finvision.models", "finvision.transfer", "finvision.data"} <= set(graph)
    assert "finvision.models" in graph["finvision.transfer"]  # the graph sees real imports
    assert cycles(graph) == []


def test_document_knowledge_and_data_stay_below_the_models():
    graph = package_graph()
    assert graph["finvision.documents"] == set()
    assert "finvision.documents" in graph["finvision.data"]
    assert "finvision.models" not in graph["finvision.data"]
    assert "finvision.callbacks" not in graph["finvision.export"]  # OperatingThreshold: models


def private_imports_across_packages() -> list[str]:
    """``file -> module`` for each import of another subpackage's private (``_``) module."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        source = unit(".".join(relative.parts))
        for module in imported_modules(path):
            parts = module.split(".")
            if unit(module) != source and any(
                part.startswith("_") and not part.startswith("__") for part in parts[2:]
            ):
                found.append(f"{relative.as_posix()} -> {module}")
    return sorted(found)


def test_no_package_imports_another_packages_private_module():
    # The floor modules (finvision._validation, finvision._files, ...) are shared on purpose.
    assert private_imports_across_packages() == []
