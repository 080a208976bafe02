"""What the commands share (symconv.cli.options): ``--set`` reads expressions and introduces new names."""

from __future__ import annotations

import json

from commandline import run


def test_set_with_expressions_and_new_names(capsys):
    code, out, _ = run(capsys, "derive", "standard", "--set", "k_h=k", "--set", "k_w=k", "--set", "N=1",
                       "--bias", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["quantities"]["flops"]["expr"] == "2*C_in*k**2*H_out*W_out*C_out"
    assert data["quantities"]["params"]["value"] is None
