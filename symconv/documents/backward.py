"""The documents of the backward pass, in ``derivations/backward/``: one per variant (standard, grouped,
depthwise, transposed) with its closed forms, its parts and how far it is from twice the forward pass; the
rules people quote about training, each with symconv's verdict; and ShuffleNetV2's guideline G1 with its
certificate."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import sympy

from symconv import variants
from symconv.check.claims import Claim, check_claim, load_rules
from symconv.derive import derive
from symconv.documents.notes import FROM_CODE
from symconv.guideline import certificate
from symconv.passes import PassDerivation, derive_pass
from symconv.printing.document import Block, Code, Document, Emphasis, Heading, List, Paragraph, Steps, Table
from symconv.quantities import LAYER, title
from symconv.symbols import sym

__all__ = ["BACKWARD_DOCUMENTS", "SUBFOLDER", "g1", "rules", "variant_document"]

#: The subfolder of ``derivations/`` the documents go to.
SUBFOLDER = "backward"

#: The variants whose backward pass has a document of its own.
VARIANTS = ("standard", "grouped", "depthwise", "transposed")

#: Stride 1, no padding, no dilation on both axes: every count of the backward pass is then a polynomial.
_UNIT = {f"{letter}_{a}": value for a in "hw" for letter, value in (("s", 1), ("p", 0), ("d", 1))}


def _excess(layer: variants.Layer) -> list[tuple[str, sympy.Expr]]:
    """Exact FLOPs of each gradient minus the forward pass's (the bias gradient's alone), with a bias, their
    sum, and the first layer's: how far the backward pass is from twice the forward one, part by part; and the
    forward pass's bias additions, what each gradient gains over it without a bias."""
    b = sym("b")
    forward = derive(layer).quantities["flops"]
    backward, first = _pass(layer, ()), _pass(layer, ("weight", "bias"))
    rows = [(title(name), sympy.factor((c["flops"] - (forward if name != "grad_bias" else 0)).subs(b, 1)))
            for name, c in backward.parts.items()]
    rows.append(("backward − 2 × forward", sympy.Add(*(e for _, e in rows), evaluate=False)))
    rows.append(("first layer (no input gradient): backward − forward",
                 sympy.factor((first.quantities["flops"] - forward).subs(b, 1))))
    rows.append(("the forward pass's bias additions (b = 1 minus b = 0)",
                 sympy.factor(forward.subs(b, 1) - forward.subs(b, 0))))
    return rows


def _pass(layer: variants.Layer, grad: tuple[str, ...], chosen: str = "backward") -> PassDerivation:
    derivation = derive_pass(layer, pass_=chosen, grad=grad or ("input", "weight", "bias"))
    assert isinstance(derivation, PassDerivation)
    return derivation


def _claim_rows(claims: Sequence[Claim]) -> list[tuple[Claim, sympy.Expr, str]]:
    rows = []
    for claim in claims:
        _, derived, verdict = check_claim(claim)
        rows.append((claim, derived, verdict.summary))
    return rows


def variant_document(variant: str, claims_file: Path) -> Document:
    """The backward pass of one variant: its closed forms, its parts, how far it is from twice the forward
    pass, the rules about it, and the derivation step by step."""
    layer = variants.make(variant, 2)
    backward, training = _pass(layer, ()), _pass(layer, (), "training")
    unit = variants.make(variant, 2, _UNIT if variant != "transposed" else {"p_h": 0, "p_w": 0})
    claims = _claim_rows([c for c in load_rules(claims_file) if c.variant == variant])
    setting = "no padding" if variant == "transposed" else "stride 1, no padding, no dilation"
    blocks: list[Block] = [
        Heading(2, "Closed forms"),
        Paragraph(f"{backward.subtitle[:1].upper()}{backward.subtitle[1:]}; ", Code("b"), " is 1 with a bias, 0 "
                  "without. A training step is the forward pass and the backward pass; docs/backward.md says how "
                  "each gradient is counted."),
        Table(["quantity", "backward pass", "training step"],
              [[q, backward.quantities[q], training.quantities[q]] for q in LAYER]),
        Heading(2, "Parts"),
        Paragraph("Each gradient's own counts (", Code("grad_input"), ", ", Code("grad_weight"), ", ",
                  Code("grad_bias"), " in the JSON)."),
        Table(["part", "mults", "adds", "flops", "macs"],
              [[title(p), *(c[q] for q in ("mults", "adds", "flops", "macs"))] for p, c in backward.parts.items()]),
        Heading(2, "How far from twice the forward pass"),
        Paragraph(f"In exact FLOPs, with {setting} (every count a polynomial) and a bias, each gradient minus the "
                  "forward pass: each forward element then adds as many times as it multiplies, each gradient "
                  "element one time fewer, and the bias gradient adds the output gradient up. Without a bias the "
                  "forward pass has its bias additions fewer (the last row), and each of the two gradients is "
                  "that much further above it."),
        Table(["", "exact FLOPs"], [list(row) for row in _excess(unit)])]
    if claims:
        blocks += [Heading(2, "Rules people quote"),
                   Table(["rule", "stated", "derived", "verdict"], [[c.id, c.stated, d, v] for c, d, v in claims])]
    blocks.append(Steps(backward))
    return Document(f"Backward pass: {layer.title[:1].lower()}{layer.title[1:]}", tuple(blocks), comment=FROM_CODE)


def rules(claims_file: Path) -> Document:
    """Every rule of the claims file's ``[[rule]]`` tables, each with symconv's verdict and where it fits."""
    rows = _claim_rows(load_rules(claims_file))
    blocks: list[Block] = [
        Paragraph("Each rule is a ratio of two passes of one layer, derived (", Code("symconv derive --pass "
                  "backward"), "): the backward pass (or a training step) over the forward pass, in the "
                  "convention it is stated in. A rule that does not hold has its exact value beside it; ",
                  Code("derived − claimed"), " is how far it is off."),
        Table(["rule", "stated", "variant", "derived", "verdict"],
              [[c.id, c.stated, c.variant, d, v] for c, d, v in rows])]
    for claim, derived, verdict in rows:
        blocks += [Heading(2, claim.id), Paragraph(f"{claim.source[:1].upper()}{claim.source[1:]}: {claim.stated}."),
                   List(f"Where it fits: {claim.fits}." if claim.fits else "Where it fits: every geometry.",
                        ("Derived: ", derived), ("Verdict: ", Emphasis(verdict, strong=True), "."))]
    return Document("The rules people quote about training", tuple(blocks), comment=FROM_CODE)


def g1(claims_file: Path) -> Document:
    """ShuffleNetV2's memory access cost as the traffic of a 1×1 convolution, and G1 with its certificate."""
    proof = certificate()
    claims = _claim_rows(load_rules(claims_file, ("memory",)))
    blocks: list[Block] = [
        Paragraph(f"{proof.subtitle}."),
        Paragraph("The compulsory traffic of a layer (", Code("symconv derive --memory"), ", docs/backward.md) "
                  "reads every input, weight and bias element and writes every output element once. For a 1×1 "
                  "convolution at one byte per element it is ShuffleNetV2's memory access cost; the certificate "
                  f"below is an identity SymPy checks, and it {'holds' if proof.holds else 'does not hold'}.")]
    if claims:
        blocks.append(Table(["claim", "stated", "derived", "verdict"], [[c.id, c.stated, d, v] for c, d, v in claims]))
    blocks.append(Steps(proof))
    return Document(proof.title, tuple(blocks), comment=FROM_CODE)


def _of(variant: str) -> Callable[[Path], Document]:
    return lambda claims: variant_document(variant, claims)


#: File stem under ``derivations/backward/`` → how its document is built from the claims file.
BACKWARD_DOCUMENTS: dict[str, Callable[[Path], Document]] = {
    **{v: _of(v) for v in VARIANTS},
    "rules": rules,
    "shufflenet-g1": g1,
}
