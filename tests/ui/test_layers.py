"""The window knows services, never SQL: no module of gasdesk/ui imports sqlalchemy."""

from __future__ import annotations

import ast
from pathlib import Path

import gasdesk.ui


def test_no_sqlalchemy_in_ui():
    root = Path(gasdesk.ui.__file__).parent
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "sqlalchemy" for n in names), path.name
