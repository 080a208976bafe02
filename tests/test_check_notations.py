"""symconv.check.notations: the papers' names for symconv's symbols are data (notations.toml), read once."""

from __future__ import annotations

from importlib import resources

import pytest
from badfiles import refusal

from symconv.check import check_count
from symconv.check.notations import NOTATIONS, Notation, load_notations, notation
from symconv.errors import FormulaError
from symconv.parsing import parse_latex
from symconv.symbols import new_symbol, sym

C_in, C_out, H_out, W_out = (sym(n) for n in ("C_in", "C_out", "H_out", "W_out"))
k = new_symbol("k")

# The notations as the papers define them, written out by hand: the data file must say exactly this.
EXPECTED = {
    "mobilenet": Notation(
        "mobilenet", "Howard et al. 2017, MobileNets, section 3.1",
        aliases={"D_K": "k", "M": "C_in", "N": "C_out", "D_F": "H_out"},
        values={"k_h": "k", "k_w": "k", "W_out": "H_out", "N": "1", "m": "1"},
        note="D_K is the square kernel, M the input and N the output channels, D_F the side of the square "
             "feature map (the input's, equal to the output's at stride 1 with padding); costs per image, "
             "depth multiplier 1",
    ),
    "shufflenet": Notation(
        "shufflenet", "Zhang et al. 2018, ShuffleNet, section 3.2",
        aliases={"h": "H_out", "w": "W_out", "m": "m_b"},
        values={"N": "1"},
        note="an input of c channels on an h × w map, m bottleneck channels (m_b here: symconv's m is the "
             "depth multiplier), g groups; costs per image",
    ),
}


def test_the_built_in_notations_are_the_papers():
    assert NOTATIONS == EXPECTED
    assert list(NOTATIONS) == ["mobilenet", "shufflenet"]  # the order errors and --help list them in
    assert list(NOTATIONS["mobilenet"].aliases) == ["D_K", "M", "N", "D_F"]  # the order `symconv check` prints


def test_the_data_file_ships_beside_its_reader():
    assert (resources.files("symconv.check") / "notations.toml").is_file()


def test_mobilenet_notation():
    mobilenet = notation("mobilenet")
    aliases = mobilenet.alias_exprs()
    assert aliases == {"D_K": k, "M": C_in, "N": C_out, "D_F": H_out}
    assert parse_latex(r"D_K \cdot D_K \cdot M \cdot N \cdot D_F \cdot D_F", aliases=aliases) == (
        k**2 * C_in * C_out * H_out**2)
    assert mobilenet.value_exprs() == {"k_h": k, "k_w": k, "W_out": H_out, "N": 1, "m": 1}


def test_shufflenet_notation():
    assert parse_latex(r"hw\left(2cm + 9m^2\right)", aliases=notation("shufflenet").alias_exprs()) == (
        H_out * W_out * (2 * new_symbol("c") * new_symbol("m_b") + 9 * new_symbol("m_b") ** 2))
    assert notation("shufflenet").value_exprs() == {"N": 1}


def test_an_unknown_notation_is_a_formula_error_naming_the_known_ones():
    with pytest.raises(FormulaError, match=r"unknown notation 'alexnet' \(known: mobilenet, shufflenet\)"):
        notation("alexnet")


def test_a_notation_applies_its_aliases_and_values_to_a_check():
    v = check_count(r"D_K \cdot D_K \cdot M \cdot N \cdot D_F \cdot D_F", "standard", "macs", notation="mobilenet")
    assert v.status == "holds" and v.derived == C_in * C_out * H_out**2 * k**2
    # --set wins over the notation's values: a rectangular map is no longer MobileNet's square one
    v = check_count(r"D_K^2 M N D_F^2", "standard", "macs", notation="mobilenet", values={"W_out": "W_out"})
    assert v.status == "fails" and v.condition == "H_out = W_out"


def test_a_notation_file_of_ones_own(tmp_path):
    path = tmp_path / "notations.toml"
    path.write_text('[[notation]]\nname = "mine"\nsource = "my paper"\nnote = "K is the kernel"\n'
                    'aliases = { K = "k" }\nvalues = { k_w = "k_h" }\n', encoding="utf-8")
    (mine,) = load_notations(path).values()
    assert mine == Notation("mine", "my paper", {"K": "k"}, {"k_w": "k_h"}, "K is the kernel")
    assert mine.alias_exprs() == {"K": k} and mine.value_exprs() == {"k_w": sym("k_h")}
    assert load_notations(str(path)) == {"mine": mine}


GOOD = 'name = "x"\nsource = "s"\nnote = "n"\n'

BAD = [
    # (file text, what the one-line message says)
    ("[[notation]\n", "notations.toml: "),
    ("notation = 3\n", "must be an array of tables"),
    ("notation = [1, 2]\n", "must be an array of tables"),
    ('[[notation]]\nname = "x"\nsource = "s"\naliases = {}\nvalues = {}\n', "notation x: has no field 'note'"),
    ("[[notation]]\n" + GOOD + "aliases = {}\n", "has no field 'values'"),
    ("[[notation]]\n" + GOOD + "aliases = {}\nvalues = {}\nyear = 2017\n", "unknown field 'year'"),
    ('[[notation]]\nname = 3\nsource = "s"\nnote = "n"\naliases = {}\nvalues = {}\n', "name must be a non-empty"),
    ("[[notation]]\n" + GOOD.replace('"s"', '""') + "aliases = {}\nvalues = {}\n", "source must be a non-empty"),
    ("[[notation]]\n" + GOOD + 'aliases = "k"\nvalues = {}\n', "aliases must be a table"),
    ("[[notation]]\n" + GOOD + "aliases = { K = 3 }\nvalues = {}\n", "aliases must be a table of expressions"),
    ("[[notation]]\n" + GOOD + 'aliases = { K = "k +" }\nvalues = {}\n',
     "notation x: aliases: K=k +: the formula ends too early"),
    ("[[notation]]\n" + GOOD + 'aliases = { "2x" = "k" }\nvalues = {}\n',
     "notation x: aliases: 2x=k: '2x' is not a usable name"),
    ("[[notation]]\n" + GOOD + 'aliases = {}\nvalues = { k_h = "__import__(1)" }\n',
     "values: k_h=__import__(1): unknown function"),
    ("[[notation]]\n" + GOOD + "aliases = {}\nvalues = {}\n" + "[[notation]]\n" + GOOD + "aliases = {}\nvalues = {}\n",
     "notation x is defined twice"),
    (b"\xff\xfe", "notations.toml: "),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[message for _, message in BAD])
def test_bad_notation_files_are_one_line_errors(tmp_path, text, message):
    assert message in refusal(load_notations, tmp_path / "notations.toml", text)


def test_a_missing_notation_file_is_a_one_line_error(tmp_path):
    assert "No such file" in refusal(load_notations, tmp_path / "no-such.toml", None)
