"""The training defaults that ``npm run ml`` (and so the local plant) and the SageMaker pipeline's
parameters share: ``defaults.json`` beside this module, which the CDK construct reads too
(``lib/ml-pipeline``). A default changes there, once, for both.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEFAULTS_FILE = Path(__file__).with_name("defaults.json")
_DEFAULTS: dict[str, Any] = json.loads(DEFAULTS_FILE.read_text())


def default(name: str) -> Any:
    """The shared default called ``name`` in ``defaults.json`` (a KeyError names a missing one)."""
    return _DEFAULTS[name]
