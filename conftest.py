"""Without PyTorch (the extra ``torch``), the doctests of symconv.torch and docs/torch.md are not collected; the
tests of symconv torch skip themselves (``pytest.importorskip``)."""

import importlib.util

collect_ignore_glob = [] if importlib.util.find_spec("torch") else ["symconv/torch/*", "docs/torch.md"]
