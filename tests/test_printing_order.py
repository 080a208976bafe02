"""symconv.printing.order: expressions in a fixed order, so that every run prints the same bytes."""

from __future__ import annotations

import os
import subprocess
import sys

_SCRIPT = (
    "import sys; from symconv import variants; from symconv.derive import derive; "
    "from symconv.printing import render; "
    "sys.stdout.write(''.join(render(derive(variants.make(v, 2)), f) for v in variants.VARIANTS "
    "for f in ('latex', 'markdown', 'text', 'json')))"
)


def test_output_is_identical_across_hash_seeds():
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, env=env, check=True)
        outputs.add(result.stdout)
    assert len(outputs) == 1
