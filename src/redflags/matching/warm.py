"""Imported by the screening job's forkserver: the compiled vote and pre-score are loaded
once there, so every worker forks with them ready. Loading them in each worker (numba's
cache, and its first-use set-up) was ~1.4 s of CPU a worker (py-spy, 40,000-row job)."""

from redflags.matching import prescore, vote

vote.warm()
prescore.warm()
