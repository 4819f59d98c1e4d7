"""Test configuration shared by tests/ and proofs_checks/.

Hypothesis runs a deterministic profile by default (derandomized, no deadline, no example
database), so every CI run tries the same examples; set ``RIPTOOLS_HYPOTHESIS_PROFILE=explore``
for a randomized, longer search. Matplotlib uses the Agg backend.
"""

import os

import matplotlib
from hypothesis import settings

matplotlib.use("Agg")

settings.register_profile("deterministic", derandomize=True, deadline=None, database=None, print_blob=True)
settings.register_profile("explore", deadline=None, max_examples=1000, print_blob=True)
settings.load_profile(os.environ.get("RIPTOOLS_HYPOTHESIS_PROFILE", "deterministic"))
