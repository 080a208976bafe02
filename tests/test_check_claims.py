"""symconv.check.claims: claims files read into claims, and every bad file refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from badfiles import refusal

from symconv.check import Part
from symconv.check.claims import Claim, check_claim, load_catalogue, load_claims

DERIVATIONS = Path(__file__).resolve().parent.parent / "derivations"

FILE = """
[[claim]]
id = "params"
source = "an article"
stated = "without bias"
formula = 'k^2 C_{in} C_{out}'
variant = "standard"
quantity = "params"
set = { k_h = "k", k_w = "k" }

[[paper]]
id = "unit"
source = "a paper"
stated = "mult-adds"
formula = 'h w (2 c m + 9 m^2)'
quantity = "macs"
let = { h = "H_out", w = "W_out", m = "m_b" }
set = { N = 1 }
bias = false
convention = "macs"
fits = "stride 1"
layer = [
    { variant = "pointwise", set = { C_in = "c", C_out = "m_b" } },
    { variant = "standard", set = { C_in = "m_b", C_out = "m_b", k_h = 3, k_w = 3 } },
    { variant = "pointwise", set = { C_in = "m_b", C_out = "c" } },
]

[[paper]]
id = "ratio"
source = "MobileNets"
stated = "reduction"
formula = '\\frac{1}{N} + \\frac{1}{D_K^2}'
variant = "separable"
versus = "standard"
quantity = "macs"
notation = "mobilenet"
"""


@pytest.fixture
def claims_file(tmp_path: Path) -> Path:
    path = tmp_path / "claims.toml"
    path.write_text(FILE, encoding="utf-8")
    return path


def test_claims_are_the_claim_tables_and_the_catalogue_adds_the_papers(claims_file):
    assert [c.id for c in load_claims(claims_file)] == ["params"]
    assert [c.id for c in load_catalogue(claims_file)] == ["params", "unit", "ratio"]


def test_every_field_is_read(claims_file):
    params, unit, ratio = load_catalogue(claims_file)
    assert params == Claim("params", "an article", "without bias", "k^2 C_{in} C_{out}", "standard", "params",
                           values={"k_h": "k", "k_w": "k"})
    assert unit.variant == "" and unit.bias is False and unit.convention == "macs" and unit.fits == "stride 1"
    assert unit.aliases == {"h": "H_out", "w": "W_out", "m": "m_b"}
    assert unit.parts[1] == Part("standard", {"C_in": "m_b", "C_out": "m_b", "k_h": 3, "k_w": 3})
    assert (ratio.versus, ratio.notation, ratio.bias, ratio.convention) == ("standard", "mobilenet", None, "exact")


def test_loaded_claims_are_checked(claims_file):
    verdicts = {claim.id: check_claim(claim)[2] for claim in load_catalogue(claims_file)}
    assert verdicts["params"].condition == "b = 0"
    assert verdicts["unit"].status == "holds" and verdicts["ratio"].status == "holds"


def test_the_shipped_claims_file_loads():
    catalogue = load_catalogue(DERIVATIONS / "claims.toml")
    article = load_claims(DERIVATIONS / "claims.toml")
    assert article and all(c.id.startswith("article-") for c in article)
    assert len({c.id for c in catalogue}) == len(catalogue)


REQUIRED = "id = 'x'\nsource = 's'\nstated = 's'\nformula = 'k'\n"

BAD = [
    # (file text, what the one-line message says)
    ("[[claim]]\nid = 'x'\n", "claim 1 has no field 'source'"),
    ("[[paper]]\n" + REQUIRED + "quantity = 'flops'\n", "give a variant"),
    ("[[claim]]\n" + REQUIRED + "variant = 'standard'\nquantity = 'energy'\n", "unknown quantity 'energy'"),
    ("[[claim]\n", "claims.toml: "),
    ("claim = 3\n", "'claim' must be an array of tables"),
    ("paper = ['x']\n", "'paper' must be an array of tables"),
    ("[[claim]]\n" + REQUIRED + "variant = 'standard'\nquantity = 'flops'\nvariants = 'x'\n",
     "unknown field 'variants'"),
    ("[[claim]]\n" + REQUIRED + "variant = 3\nquantity = 'flops'\n", "claim x: variant must be a string"),
    ("[[claim]]\n" + REQUIRED + "variant = 'standard'\nquantity = 'flops'\nbias = 'yes'\n", "bias must be true or"),
    ("[[claim]]\n" + REQUIRED + "variant = 'standard'\nquantity = 'flops'\nset = 3\n", "set must be a table"),
    ("[[claim]]\n" + REQUIRED + "variant = 'standard'\nquantity = 'flops'\nset = { k = 0.5 }\n", "set must be a"),
    ("[[claim]]\n" + REQUIRED + "variant = 'standard'\nquantity = 'flops'\nlet = { k = true }\n", "let must be a"),
    ("[[claim]]\n" + REQUIRED + "quantity = 'flops'\nlayer = 'pointwise'\n", "layer must be an array of tables"),
    ("[[claim]]\n" + REQUIRED + "quantity = 'flops'\nlayer = [{ set = {} }]\n", "claim 1 has no field 'variant'"),
    ("[[claim]]\n" + REQUIRED + "quantity = 'flops'\nlayer = [{ variant = 'pointwise', g = 2 }]\n",
     "a layer has an unknown field 'g'"),
    ("[[claim]]\n" + REQUIRED + "quantity = 'flops'\nlayer = [{ variant = 1 }]\n", "a layer's variant must be a"),
    ("[[claim]]\n" + REQUIRED + "variant = 'standard'\nquantity = 'flops'\nnotation = 'alexnet'\n",
     "unknown notation 'alexnet' (known: mobilenet, shufflenet)"),
    (b"\xff", "claims.toml: "),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[message for _, message in BAD])
def test_bad_claims_files_are_one_line_errors(tmp_path, text, message):
    assert message in refusal(load_catalogue, tmp_path / "claims.toml", text)


def test_a_missing_claims_file_is_a_one_line_error(tmp_path):
    assert "No such file" in refusal(load_claims, tmp_path / "no-such.toml", None)
