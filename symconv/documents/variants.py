"""The variant documents: one per variant and one comparison, each its closed forms, the claims of the
reference article about it with symconv's verdict, and the derivation step by step."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from symconv import variants
from symconv.check.claims import Claim, check_claim, load_claims
from symconv.compare import Comparison, compare
from symconv.derive import Derivation, derive
from symconv.documents.notes import FROM_CODE
from symconv.printing.document import Block, Code, Document, Heading, Paragraph, Steps, Table
from symconv.quantities import LAYER

__all__ = ["comparison", "variant"]

_FURTHER = ("The multiply-accumulates on the input and on the output grid (they differ for a transposed "
            "convolution), the counts that skip the zeros of the padding, and ", Code("flops"),
            " in every convention (docs/conventions.md).")


def variant(name: str) -> Callable[[Path], Document]:
    """The builder of a variant's document, from the claims file."""
    def build(claims: Path) -> Document:
        return _document(derive(variants.make(name, 2)), _claims_for(load_claims(claims), name))

    return build


def comparison(left: str, right: str) -> Callable[[Path], Document]:
    """The builder of the document comparing two variants, from the claims file."""
    def build(claims: Path) -> Document:
        subject = compare(*(derive(variants.make(v, 2)) for v in (left, right)))
        return _document(subject, _claims_for(load_claims(claims), (left, right)))

    return build


def _claims_for(claims: Sequence[Claim], subject: str | tuple[str, str]) -> list[Claim]:
    if isinstance(subject, tuple):
        return [c for c in claims if (c.variant, c.versus) == subject]
    return [c for c in claims if c.variant == subject and c.versus is None]


def _document(subject: Derivation | Comparison, claims: Sequence[Claim]) -> Document:
    subtitle = subject.subtitle[:1].upper() + subject.subtitle[1:]
    blocks: list[Block] = [
        Heading(2, "Closed forms"),
        Paragraph(f"{subtitle}; ", Code("b"), " is 1 with a bias, 0 without."),
        Table(["quantity", "closed form"], [[name, subject.quantities[name]] for name in LAYER]),
    ]
    further = getattr(subject, "counts", None) or {}
    if further:
        blocks += [Heading(2, "Further counts"), Paragraph(*_FURTHER),
                   Table(["count", "closed form"],
                         [[name.replace("_", " ", 1) if name.startswith("flops_") else name, expr]
                          for name, expr in further.items()])]
    if claims:
        blocks += [Heading(2, "Claims of the reference article"), _claims_table(claims)]
    blocks.append(Steps(subject))
    return Document(subject.title, tuple(blocks), comment=FROM_CODE)


def _claims_table(claims: Sequence[Claim]) -> Table:
    rows = []
    for claim in claims:
        claimed, _, verdict = check_claim(claim)
        rows.append([claim.source, claim.stated, claimed, verdict.summary, verdict.difference])
    return Table(["source", "stated", "formula", "symconv's verdict", "derived − claimed"], rows)
