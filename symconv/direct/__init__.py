"""The reference convolution that really computes, and counts every scalar ``*`` and ``+`` it performs.

The worked example (a 5×5 input, a 3×3 kernel, no padding, stride 1, no bias) is the whole idea in small:
each of the 3·3 = 9 output elements costs 9 multiplications and 8 additions, so 81 = 9·9 and 72 = 9·8.

>>> import numpy as np
>>> x = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]])
>>> w = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]])
>>> r = conv_direct(x[None, None], w[None, None], mode="scalar")
>>> r.output[0, 0]
array([[12, 12, 17],
       [10, 17, 19],
       [ 9,  6, 14]])
>>> r.mults, r.adds
(81, 72)

The top-left element is 3·0 + 3·1 + 2·2 + 0·2 + 0·2 + 1·0 + 3·0 + 1·1 + 2·2 = 12: nine products, eight sums.

**What is computed.** PyTorch's ``conv1d/2d/3d`` (a cross-correlation). For an output element ``(n, co, o)``
of group ``j = co // C_out_g``, with ``K = C_in_g · ∏ k_a`` terms,

.. math::

    y[n, co, o] = b[co] + \\sum_{c < C_{in/g}} \\sum_{\\kappa} w[co, c, \\kappa] \\,
                  x_{pad}[n, j C_{in/g} + c, o s + \\kappa d]

where ``x_pad`` is ``x`` explicitly zero-padded by ``p_a`` on both sides of every spatial axis, so the padded
zeros are real operands of real multiplications. The sum starts with a product (``acc = w·x``), so an element
costs ``K`` multiplications and ``K - 1 + b`` additions (``b = 1`` with a bias), and the layer costs

.. math::

    \\text{mults} = N C_{out} \\prod_a A_{out} \\cdot K, \\qquad
    \\text{adds} = N C_{out} \\prod_a A_{out} \\cdot (K - 1 + b).

That formula is a claim for the tests and for :mod:`symconv.derive`; this package never evaluates it. Both
modes count the operations they execute, one at a time (``mode="scalar"``) or by the size of each
elementwise numpy result (``mode="vectorized"``).

**Values.** Integer inputs are computed in ``int64`` and give exact integers (as long as every partial sum
fits in 64 bits); anything with a float is computed in ``float64``. Both modes add the terms in the same
order, so even float results agree bit for bit.

**Where each part lives.** :mod:`~symconv.direct.shapes` checks the arguments, finds the output sizes by
enumeration and names the loops (:func:`loop_nest`); :mod:`~symconv.direct.tally` holds the counted ``*`` and
``+``; :mod:`~symconv.direct.forward` is :func:`conv_direct`; :mod:`~symconv.direct.transposed` the scatter
(:func:`conv_transpose_direct`) and the dense counter on the output grid (:func:`conv_transpose_dense`);
:mod:`~symconv.direct.reference` the independent numpy computations that check the values;
:mod:`~symconv.direct.backward` the gradients, counted (:func:`conv_backward_direct`,
:func:`conv_transpose_backward_direct`), their loops named by :func:`gradient_loop_nest`.
"""

from symconv.direct.backward import BackwardCount, conv_backward_direct, conv_transpose_backward_direct
from symconv.direct.forward import Mode, conv_direct
from symconv.direct.reference import (
    adjoint_identities,
    conv_reference,
    conv_transpose_reference,
    gradients_by_linearity,
)
from symconv.direct.shapes import gradient_loop_nest, loop_nest, output_size, transposed_output_size
from symconv.direct.tally import DirectCount
from symconv.direct.transposed import conv_transpose_dense, conv_transpose_direct

__all__ = [
    "BackwardCount",
    "DirectCount",
    "Mode",
    "adjoint_identities",
    "conv_backward_direct",
    "conv_direct",
    "conv_reference",
    "conv_transpose_backward_direct",
    "conv_transpose_dense",
    "conv_transpose_direct",
    "conv_transpose_reference",
    "gradient_loop_nest",
    "gradients_by_linearity",
    "loop_nest",
    "output_size",
    "transposed_output_size",
]
