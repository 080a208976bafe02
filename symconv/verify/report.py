"""What verification finds, as data: a :class:`Mismatch`, the :class:`GridProof` and the whole :class:`Report`.
The printers of :mod:`symconv.printing.verify` render them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from symconv.derive import Derivation
from symconv.displayed import Summarised

#: Called as ``progress(done, total)`` after each point of the grid.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Mismatch:
    """A configuration where the closed form and the direct count (or the two computations) disagree."""

    where: str
    values: Mapping[str, int]
    quantity: str
    closed_form: int
    direct: int | str


@dataclass(frozen=True)
class GridProof:
    """The grid check: its variables, the degree bound of each and the values tried, and the verdict."""

    variables: tuple[str, ...]
    degrees: Mapping[str, int]
    values: Mapping[str, tuple[int, ...]]
    fixed: Mapping[str, int]
    points: int
    mismatches: tuple[Mismatch, ...]
    #: Counts that are not polynomials in the grid's variables (the padding-aware counts, the landed products of
    #: a transposed convolution): the grid proves nothing about them; the samples and property tests check them.
    piecewise: tuple[str, ...] = ()
    #: The grid was realised by the same variant with its geometry free: the geometry given ties the sizes
    #: together, so that no full grid of trip counts exists with it (:meth:`symconv.variants.Layer.with_free_geometry`).
    free_geometry: bool = False

    @property
    def proven(self) -> bool:
        return not self.mismatches


@dataclass(frozen=True, repr=False)
class Report(Summarised):
    """What :func:`symconv.verify.verify_layer` found."""

    derivation: Derivation
    samples: int
    sample_mismatches: tuple[Mismatch, ...]
    grid: GridProof
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.sample_mismatches and self.grid.proven

