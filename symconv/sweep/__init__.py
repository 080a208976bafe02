"""Sweeps of design spaces: every count of a target at every point of a grid or at random points, the points
that meet constraints or their Pareto front, streamed chunk by chunk through generated code, in this process
or on dask.

>>> from symconv import derive, variants
>>> from symconv.sweep import LayerEvaluator, Space, Sweep, read_axis, run
>>> layer = LayerEvaluator.of(derive(variants.depthwise(2, {"N": 1, "m": 1, "k_h": 3, "k_w": 3}, bias=False)))
>>> space = Space((read_axis("C_in=32:1024:32"), read_axis("H_out=7,14,28,56,112"), read_axis("W_out=7:112:7")))
>>> plan = Sweep.build(layer, space, where=["H_out == W_out", "macs <= 1e6"], pareto=("macs", "params"))
>>> [front] = run(plan)
>>> [plan.space.point(point) for point in zip(*front.indices)]
['C_in=32, H_out=7, W_out=7']

The stages, one module each, in the order a sweep goes through them:

* :mod:`~symconv.sweep.space`: the axes (``alpha=1/4:1:1/8``, ``k=1,3,5``, exact values) and the points of
  their grid or random ones, cut into chunks;
* :mod:`~symconv.sweep.evaluators`: what is evaluated (:class:`Evaluator`): a layer variant's generated
  functions (:class:`LayerEvaluator`), a network's generated module (:class:`NetworkEvaluator`), or a
  :class:`Family` of targets that differ in one value none of them names (a kernel size fixed in each);
* :mod:`~symconv.sweep.constraints`: ``macs <= 300e6``, read safely and decided exactly;
* :mod:`~symconv.sweep.pareto`: the Pareto front of two counts, exactly;
* :mod:`~symconv.sweep.engine`: one chunk through them all, and the chunks in order (:func:`run`);
  :mod:`~symconv.sweep.cluster` runs the chunks on dask;
* :mod:`~symconv.sweep.writers` and :mod:`~symconv.sweep.progress`: the table (CSV, JSON lines, Parquet)
  and a progress bar.
"""

from symconv.sweep.constraints import Constraint, read_constraints
from symconv.sweep.engine import Rows, Sweep, run
from symconv.sweep.evaluators import Evaluator, Family, LayerEvaluator, NetworkEvaluator
from symconv.sweep.pareto import front
from symconv.sweep.space import Axis, Space, read_axis

__all__ = [
    "Axis",
    "Constraint",
    "Evaluator",
    "Family",
    "LayerEvaluator",
    "NetworkEvaluator",
    "Rows",
    "Space",
    "Sweep",
    "front",
    "read_axis",
    "read_constraints",
    "run",
]
