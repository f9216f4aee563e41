"""Loads the compiled stages (the vote, the pre-score and the Matcher's token similarity;
numba's cache, or compiling them) ahead of the first query. The screening job's forkserver
imports this module, so every worker forks with them ready: loading them in each worker was
~1.4 s of CPU (py-spy, 40,000-row job). The API calls ``load_kernels`` when it loads its
engine, so its first request does not pay for it."""

from redflags.matching import align, prescore, tokensim, vote


def load_kernels() -> None:
    vote.warm()
    prescore.warm()
    tokensim.warm()
    align.warm()


load_kernels()
