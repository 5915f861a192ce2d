"""The map of docs/architecture.md, checked: every module of events/ sits in a layer, imports only its own
layer or those below, no modules import each other in a circle, and none outgrows 600 lines.

The imports are read from the source (ast), lazy ones inside functions included, so that an import put
off to dodge a circle is still seen.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "events"

# Lowest first. A module belongs to the first layer whose prefix names it or a package holding it.
LAYERS = (
    ("ground", ("events.choices", "events.dates", "events.countries", "events.errors", "events.security")),
    ("ground", ("events.progress", "events.sqlite_search", "events.history_end", "events.apps", "events.templatetags")),
    ("ground", ("events.history_countries",)),
    ("shape", ("events.shape",)),
    ("postgres", ("events.postgres",)),
    ("models", ("events.models",)),
    (
        "records",
        (
            "events.dataset",
            "events.filters",
            "events.rollup",
            "events.restore",
            "events.gazetteer",
            "events.asof",
            "events.generation",
        ),
    ),
    (
        "uses",
        (
            "events.exports",
            "events.facets",
            "events.facet_summary",
            "events.etags",
            "events.curation",
            "events.matching",
            "events.extraction",
            "events.extraction_score",
            "events.coded",
            "events.relations_index",
            "events.releases",
        ),
    ),
    ("interfaces", ("events.api", "events.admin", "events.public_page")),
    ("commands", ("events.management",)),
)
RANKS = {}
for layer, _ in LAYERS:
    RANKS.setdefault(layer, len(RANKS))

MAX_LINES = 600
# Modules allowed to be longer, each with the reason.
LONG_MODULES = {}


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_package(path):
    return path.name == "__init__.py"


def modules():
    return {
        module_name(path): path
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.parts and "__pycache__" not in path.parts
    }


def layer_of(module):
    if module == "events":  # the app's package: empty, below everything
        return 0
    for rank, (_, prefixes) in enumerate(LAYERS):
        if any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes):
            return RANKS[LAYERS[rank][0]]
    return None


def imports_of(module, path, known):
    """The modules of events/ that `module` imports, anywhere in its source."""
    package = module if is_package(path) else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            for alias in node.names:
                # `from events import dates` imports the module events.dates; `from events.models import Event`,
                # a name of events.models.
                candidate = f"{source}.{alias.name}"
                found.add(candidate if candidate in known else source)
    return {name for name in found if name in known and name != module}


@pytest.fixture(scope="module")
def graph():
    known = modules()
    return {module: imports_of(module, path, known) for module, path in known.items()}


def upward(graph):
    return [
        f"{module} imports {imported}"
        for module, imported_modules in sorted(graph.items())
        for imported in sorted(imported_modules)
        if layer_of(imported) > layer_of(module)
    ]


def circles(graph):
    """Each circle of imports found by a depth-first walk, as 'a -> b -> a'."""
    found = []
    state = {}

    def visit(module, trail):
        state[module] = "open"
        for imported in sorted(graph.get(module, ())):
            if state.get(imported) == "open":
                found.append(" -> ".join([*trail[trail.index(imported) :], imported]))
            elif imported not in state:
                visit(imported, [*trail, imported])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return found


def test_every_module_has_a_layer(graph):
    assert [module for module in graph if layer_of(module) is None] == []


def test_nothing_imports_a_layer_above_its_own(graph):
    assert upward(graph) == []


def interface_of(module):
    prefixes = dict(LAYERS)["interfaces"]
    return next((prefix for prefix in prefixes if module == prefix or module.startswith(prefix + ".")), None)


def test_no_interface_imports_another(graph):
    """What the API, the admin and the page share lives in the layers below them (docs/architecture.md)."""
    across = [
        f"{module} imports {imported}"
        for module, imported_modules in sorted(graph.items())
        for imported in sorted(imported_modules)
        if interface_of(module) and interface_of(imported) and interface_of(module) != interface_of(imported)
    ]
    assert across == []


def test_no_modules_import_each_other_in_a_circle(graph):
    # A package's __init__ importing its own modules is how a package offers their names: those edges
    # point down into the package and close a circle only if a module imports its package back.
    assert circles(graph) == []


def test_no_module_is_longer_than_600_lines():
    lengths = {module: len(path.read_text().splitlines()) for module, path in modules().items()}
    assert {module: n for module, n in lengths.items() if n > MAX_LINES and module not in LONG_MODULES} == {}


def test_the_checks_see_an_upward_import_and_a_circle():
    # What the code looked like before: models compiled the exports' SQL, the dataset reader imported a command.
    before = {
        "events.models": {"events.exports"},
        "events.exports": {"events.dataset", "events.models"},
        "events.dataset": {"events.management.commands.generate_events", "events.models"},
        "events.management.commands.generate_events": {"events.models"},
    }
    assert upward(before) == [
        "events.dataset imports events.management.commands.generate_events",
        "events.models imports events.exports",
    ]
    assert circles(before) == [
        "events.dataset -> events.management.commands.generate_events -> events.models -> events.exports "
        "-> events.dataset",
        "events.models -> events.exports -> events.models",
    ]


def test_it_reads_relative_and_lazy_imports():
    known = modules()
    path = known["events.models.expressions"]
    assert imports_of("events.models.expressions", path, known) == {"events.dates", "events.postgres"}
    path = known["events.extraction.reading"]
    assert "events.dataset" in imports_of("events.extraction.reading", path, known)  # imported inside a function
