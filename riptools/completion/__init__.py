"""Matrix completion of small random low-rank matrices (the learned-completion slides, M. Alkady 2025).

:mod:`.instances` draws masked instances and reports identifiability, :mod:`.exact` completes them
by nonconvex factorisation and checks uniqueness, :mod:`.network` is the slides' MLP baseline
(scikit-learn, optional extra ``nn``), :mod:`.claims` computes the quantities of the slides' claims about the data.
"""
