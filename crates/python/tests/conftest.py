"""Where the tests find the repository's vectors and the shared checker."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[3]
VECTORS = REPO / "tests" / "vectors"
# The shared checker scores any implementation's output against a vector set; CI has the
# shared folder beside the checkout (CEXSIGN_SHARED overrides where it is).
SHARED = Path(os.environ.get("CEXSIGN_SHARED", REPO.parent / "shared"))


def load_checker() -> ModuleType:
    path = SHARED / "tools" / "check_headers.py"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the shared checker is missing (set CEXSIGN_SHARED to the shared folder)")
    spec = importlib.util.spec_from_file_location("check_headers", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
