"""riptools: computational checks of theory for nonconvex low-rank matrix recovery.

The conventions every module uses (svec coordinates, the objective without a factor ½, the RIP
definition) are fixed once in :mod:`riptools.sensing` and :mod:`riptools.objective`.
"""

from riptools.validation import InputError

__version__ = "0.1.0"

__all__ = ["InputError", "__version__"]
