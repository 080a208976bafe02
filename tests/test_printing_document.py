"""The document model and its two printers: what each node prints in Markdown and in LaTeX."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import sympy

from symconv import derive, variants
from symconv.printing.document import (
    Code,
    Document,
    Emphasis,
    Heading,
    InlineMath,
    Item,
    Link,
    List,
    Math,
    Number,
    Paragraph,
    Steps,
    Table,
    Text,
    inline,
    prose,
)
from symconv.printing.latex import blocks_latex, document_latex, inline_latex
from symconv.printing.latex_layout import LONG_TABLE, math_width
from symconv.printing.markdown import document_markdown, inline_markdown
from symconv.symbols import sym

C_in, C_out, b = sym("C_in"), sym("C_out"), sym("b")


# ------------------------------------------------------------------------------------------------- the model


def test_shorthand_makes_pieces():
    assert inline("a ", Code("x"), b, "") == (Text("a "), Code("x"), InlineMath(b))
    assert Paragraph("a", C_out).pieces == (Text("a"), InlineMath(C_out))
    assert Table(["q"], [[C_in], ["t"], [""]]).rows == (((InlineMath(C_in),),), ((Text("t"),),), ((),))


def test_prose_reads_code_and_emphasis():
    assert prose("the *real* pair, `s u + d j - p`, **not** `V`.") == (
        Text("the "), Emphasis("real"), Text(" pair, "), Code("s u + d j - p"), Text(", "),
        Emphasis("not", strong=True), Text(" "), Code("V"), Text("."))
    assert prose("2 * 3 and `a*b`") == (Text("2 * 3 and "), Code("a*b"))


@pytest.mark.parametrize(("make", "message"), [
    (lambda: prose("an `open quote"), "unbalanced backquote"),
    (lambda: Table(["a", "b"], [["1"]]), "a row of 1 cells in a table of 2 columns"),
    (lambda: Table(["a", "b"], [], align="lx"), "one of l, r, c"),
    (lambda: Table(["a"], [], align="lr"), "one of l, r, c"),
    (lambda: Math(("a", "b"), "c"), "either equations"),
    (lambda: Math(), "needs an equation"),
    (lambda: Heading(5, "deep"), "heading level 5"),
    (lambda: inline(3), "not an inline piece"),
])
def test_malformed_nodes_are_refused(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_nodes_are_frozen_values():
    assert Paragraph("a", Code("b")) == Paragraph("a", Code("b"))
    with pytest.raises(AttributeError):
        Paragraph("a").pieces = ()  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------- Markdown


def test_markdown_inline():
    pieces = inline("See ", Link("the claim", "#claim"), ": ", Number(4231976), " weights, ",
                    Emphasis("real"), ", ", Emphasis("holds", strong=True), ", ", Code("a`b"), ", ", C_in * b)
    assert inline_markdown(pieces) == (
        r"See [the claim](#claim): 4,231,976 weights, *real*, **holds**, `` a`b ``, $C_{\mathrm{in}} b$")


def test_markdown_document():
    doc = Document("Sizes", (
        Heading(2, "Padding ", Code("same")),
        Paragraph("Prose stays as written: C_in & 50%."),
        Math((r"H_{\mathrm{out}}", sym("H_in")), ("x", "y")),
        Math(C_out),
        Table(["mode", "size"], [["same", C_out], ["a|b", "2"]], align="lr", foot=[["total", "3"]],
              caption=["Two ", Code("modes"), "."]),
        List("one", Item("two", children=[Item("two and a half")]), ("three ", b)),
        Heading(3, "Deeper"),
    ), comment="Generated: edit the code.")
    assert document_markdown(doc) == "\n".join([
        "# Sizes", "", "Generated: edit the code.", "", "## Padding `same`", "",
        "Prose stays as written: C_in & 50%.", "",
        r"$$H_{\mathrm{out}} = H_{\mathrm{in}}$$", "", "$$x = y$$", "", r"$$C_{\mathrm{out}}$$", "",
        "| mode | size |", "| --- | ---: |", r"| same | $C_{\mathrm{out}}$ |", r"| a\|b | 2 |", "| total | 3 |", "",
        "Two `modes`.", "",
        "- one", "- two", "  - two and a half", "- three $b$", "", "### Deeper", ""])


def test_markdown_steps_take_the_section_title():
    d = derive(variants.pointwise(1, bias=False))
    text = document_markdown(Document("P", (Steps(d),)))
    assert text.startswith("# P\n\n## Derivation\n\n1-D, FLOPs in the exact convention")
    assert "\n### Parameters\n" in text and text.endswith("$$\n")


# ------------------------------------------------------------------------------------------------- LaTeX


def test_latex_inline_escapes_prose():
    pieces = inline("C_in & 50% × k, Σ ", Code("pe_h"), " ", Emphasis("real"), " ", Emphasis("holds", strong=True),
                    " ", Number(4231976), " ", Link("the claim", "#claim"), " ", InlineMath(r"\alpha"))
    assert inline_latex(pieces) == (r"C\_in \& 50\% $\times$ k, $\Sigma$ \texttt{pe\_h} \emph{real} \textbf{holds} "
                                    r"4{,}231{,}976 the claim $\alpha$")
    assert inline_latex(pieces).isascii()


def test_latex_blocks():
    body, packages = blocks_latex([
        Heading(2, "Closed forms"), Paragraph("The sizes:"), Math(("H", "W"), ("a", "b")), Math(C_out),
        Heading(3, "More"), Heading(4, "Most"), List("one", Item("two", children=[Item("deeper")]))])
    assert packages == ()
    assert body == "\n".join([
        r"\subsection*{Closed forms}", "", "The sizes:", r"\begin{align*}", "H &= W \\\\", "a &= b", r"\end{align*}",
        r"\[C_{\mathrm{out}}\]", "", r"\subsubsection*{More}", "", r"\paragraph*{Most}", "",
        r"\begin{itemize}", r"\item one", r"\item two", r"\begin{itemize}", r"\item deeper", r"\end{itemize}",
        r"\end{itemize}"])


def test_latex_table_is_booktabs():
    body, packages = blocks_latex([Table(["mode", "size"], [["same", C_out], ["valid", Number(1000)]], align="lr",
                                         foot=[["total", "2"]])])
    assert packages == ("booktabs",)
    assert body == "\n".join([
        r"\begin{center}", r"\begin{tabular}{lr}", r"\toprule", r"mode & size \\", r"\midrule",
        r"same & $C_{\mathrm{out}}$ \\", r"valid & 1{,}000 \\", r"\midrule", r"total & 2 \\", r"\bottomrule",
        r"\end{tabular}", r"\end{center}"])


def test_a_caption_follows_the_table():
    body, _ = blocks_latex([Table(["n"], [["1"]], caption=["One ", Code("n"), "."])])
    assert body.endswith("\\end{tabular}\n\\end{center}\nOne \\texttt{n}.")


def test_a_long_table_breaks_across_pages():
    body, packages = blocks_latex([Table(["n"], [[str(i)] for i in range(LONG_TABLE + 1)])])
    assert packages == ("booktabs", "longtable")
    assert body.startswith("\\begingroup\n\\begin{longtable}{l}\n\\toprule\nn \\\\\n\\midrule\n\\endhead\n0 \\\\")
    assert body.endswith("\\bottomrule\n\\end{longtable}\n\\endgroup")


def test_prose_wider_than_the_line_wraps():
    words = "a sentence long enough that three of them do not fit on one line of the page"
    body, packages = blocks_latex([Table(["what", "why", "n"], [[words, words, "1"]], align="llr")])
    assert packages == ("booktabs", "tabularx")
    spec = r"{>{\raggedright\arraybackslash\hsize=1.00\hsize}X>{\raggedright\arraybackslash\hsize=1.00\hsize}Xr}"
    assert r"\begin{tabularx}{\linewidth}" + spec in body


def test_many_columns_or_overwide_math_print_small():
    many, _ = blocks_latex([Table(list("abcdef"), [list("123456")])])
    assert many.splitlines()[:3] == [r"\begin{center}", r"\small", r"\begin{tabular}{llllll}"]
    wide = sympy.Add(*sympy.symbols("x:60"))
    body, packages = blocks_latex([Table(["name", "form"], [["a rather long name of a count", wide]])])
    assert r"\small" in body and packages == ("booktabs",)


def test_math_width_reads_fractions_and_indices():
    assert math_width(r"\frac{m}{C_{\mathrm{out}}} + 1") == 6.1
    assert math_width(r"\left(a + b\right)^{2}") == 6.7  # ( a + b ) and a small 2


def test_latex_document_loads_only_what_it_uses():
    plain = document_latex(Document("Title & co", (Paragraph("text"),), comment="made by code"))
    assert plain == "\n".join([
        r"\documentclass{article}", r"\usepackage{amsmath}", r"\usepackage[margin=2cm]{geometry}",
        r"\allowdisplaybreaks", r"\setlength{\emergencystretch}{3em}",
        r"\begin{document}", r"\section*{Title \& co}", "% made by code", "text",
        r"\end{document}", ""])
    tables = document_latex(Document("T", (Table(["n"], [[str(i)] for i in range(40)]), Table(["m"], [["1"]]))))
    assert "\\usepackage{amsmath}\n\\usepackage{booktabs}\n\\usepackage{longtable}\n" in tables


def test_latex_steps_are_the_derivation_block():
    d = derive(variants.pointwise(1, bias=False))
    body, _ = blocks_latex([Steps(d, title="How")])
    assert body.startswith("\\subsection*{How}\n% Pointwise convolution: 1-D")
    assert body.endswith(r"\end{align*}")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs pdflatex")
def test_every_node_compiles(tmp_path):
    words = "prose long enough that the table is wider than the line and has to wrap it"
    doc = Document("All the nodes", (
        Heading(2, "A ", Code("heading")), Paragraph(*prose("Prose, `code`, *emphasis* and 50% C_in & Σ."),
                                                     C_in * b, Number(12345)),
        Math(("H", C_out)), Math(C_in), List("one", Item("two", children=[Item("three")])),
        Table(["a", "b"], [["1", C_out]], foot=[["total", "1"]]),
        Table(["what", "why", "n"], [[words, words, "1"]], align="llr"),
        Table(["n", "m"], [[str(i), Number(10**i)] for i in range(45)], align="rr"),
        Steps(derive(variants.pointwise(1, bias=False)))))
    (tmp_path / "all.tex").write_text(document_latex(doc), encoding="ascii")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "all.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert "Overfull \\hbox" not in (tmp_path / "all.log").read_text(encoding="latin-1")
