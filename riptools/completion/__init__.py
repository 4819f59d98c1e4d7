"""Matrix completion of small random low-rank matrices (seed ``003_…``).

:mod:`.instances` draws masked instances and reports identifiability, :mod:`.exact` completes them
by nonconvex factorisation and checks uniqueness, :mod:`.network` is the slides' MLP baseline
(scikit-learn, optional extra ``nn``), :mod:`.claims` checks the slides' claims about the data.
"""
