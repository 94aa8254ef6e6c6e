"""A flow is one folder: nothing outside a flow's package names its kind or its steps.

Every string literal in gasdesk/ that equals a flow kind or a (non-terminal) step code is listed,
with where it stands; the only places allowed are the flow's own package and the registry. One
literal is a word of another vocabulary that happens to be spelt like a flow, and is named here.
"""

from __future__ import annotations

import ast
from pathlib import Path

from gasdesk.flows import ALL_FLOWS, BUNDLES
from gasdesk.flows.registry import PACKAGES

ROOT = Path(__file__).resolve().parent.parent / "gasdesk"
FLOWS_DIR = ROOT / "flows"
# (file, literal): why it is not the flow's name.
OTHER_VOCABULARY = {
    ("vocab.py", "transfer"): "PaymentMethod.TRANSFER 转账 is a way of paying, not the transfer flow",
    ("flows/departments.py", "design"): "the design department's code, not the installation's design step",
    ("cli.py", "inspection"): "the command `gasdesk inspection export/import` (the plans' route sheet), not the flow",
}


def _own_words(kind: str) -> set[str]:
    flow = ALL_FLOWS[kind]
    return {kind} | {s.code for s in flow.steps if not s.terminal}


def _named_words() -> dict[str, set[str]]:
    """Each kind and step code -> the kinds it belongs to."""
    words: dict[str, set[str]] = {}
    for kind in ALL_FLOWS:
        for word in _own_words(kind):
            words.setdefault(word, set()).add(kind)
    return words


def _literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(n.lineno, n.value) for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _owner(path: Path) -> str | None:
    """The flow whose package holds `path` (None outside every flow package)."""
    rel = path.relative_to(FLOWS_DIR).parts if path.is_relative_to(FLOWS_DIR) else ()
    return rel[0] if len(rel) > 1 and rel[0] in ALL_FLOWS else None


def test_no_flow_is_named_outside_its_own_package() -> None:
    words = _named_words()
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] == "migrations" or path == FLOWS_DIR / "registry.py":
            continue
        owner = _owner(path)
        own = _own_words(owner) if owner else set()
        for line, text in _literals(path):
            if text in words and text not in own and (rel.as_posix(), text) not in OTHER_VOCABULARY:
                found.append(f"{rel}:{line}: {text!r} ({', '.join(sorted(words[text]))})")
    assert found == [], "flow kinds or step codes named outside their package:\n" + "\n".join(found)


def test_every_package_is_listed_once_and_is_its_flow() -> None:
    assert len(PACKAGES) == len(set(PACKAGES))
    assert [b.kind for b in BUNDLES] == list(PACKAGES)
    on_disk = {p.parent.name for p in FLOWS_DIR.glob("*/__init__.py")}
    assert on_disk == set(PACKAGES), "a flow package is missing from registry.PACKAGES (or listed without a folder)"


def test_the_check_finds_a_planted_name(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text('KINDS = ("closure", "plugging_visit")\n', encoding="utf-8")
    words = _named_words()
    assert [t for _, t in _literals(planted) if t in words] == ["closure", "plugging_visit"]
