#!/usr/bin/python3
"""Generates mannwhitneyu-vectors.tsv: scipy.stats.mannwhitneyu oracle values for MannWhitneyScipyVectorsTest.

Run with Debian's interpreter (python3-scipy):  /usr/bin/python3 generate_mwu_vectors.py > mannwhitneyu-vectors.tsv
Tests read the committed numbers; they never run this script.
"""
import sys
import numpy as np
import scipy
from scipy.stats import mannwhitneyu

rng = np.random.RandomState(20260101)
cases = []


def add(name, x, y, methods=("auto", "exact", "asymptotic"), alternatives=("two-sided", "less", "greater"), continuity=(True, False)):
    x = [float(v) for v in x]
    y = [float(v) for v in y]
    ties = len(set(x + y)) < len(x) + len(y)
    for method in methods:
        if method == "exact" and ties:
            continue
        for alt in alternatives:
            for cc in (continuity if method != "exact" else (True,)):
                r = mannwhitneyu(x, y, use_continuity=cc, alternative=alt, method=method)
                cases.append((name, method, alt, cc, x, y, float(r.statistic), float(r.pvalue)))


# Small, tie-free: exact distribution (and scipy's auto picks exact)
for m, n in [(1, 1), (1, 5), (2, 3), (3, 3), (4, 7), (5, 5), (6, 9), (8, 8), (8, 20), (3, 40), (7, 60)]:
    add("small-%dx%d" % (m, n), rng.normal(0, 1, m), rng.normal(0.3, 1, n))
# Completely separated samples: the extreme exact tail
add("separated-6x7", np.arange(6) + 100.0, np.arange(7))
add("separated-8x30", np.arange(8) + 100.0, np.arange(30))
# Ties: integers, asymptotic with tie correction
for m, n in [(5, 6), (10, 12), (30, 25), (200, 180)]:
    add("ties-%dx%d" % (m, n), rng.poisson(4, m), rng.poisson(5, n), methods=("auto", "asymptotic"))
# Constant and nearly constant samples
add("all-tied-4x5", [3] * 4, [3] * 5, methods=("auto", "asymptotic"))
add("constant-vs-constant-6x6", [2] * 6, [5] * 6, methods=("auto", "asymptotic"))
# Medium and large continuous samples
for m, n, shift in [(20, 20, 0.0), (50, 40, 0.5), (300, 310, 0.1), (1000, 900, 0.05)]:
    add("normal-%dx%d" % (m, n), rng.normal(0, 1, m), rng.normal(shift, 1, n), methods=("auto", "asymptotic"))
# A far tail of the normal approximation (p far below 1e-30)
add("far-tail-200x200", rng.normal(0, 1, 200), rng.normal(4, 1, 200), methods=("asymptotic",))
# Latency-like skewed samples
add("lognormal-120x110", rng.lognormal(0, 0.5, 120), rng.lognormal(0.2, 0.5, 110), methods=("auto",))

print("# scipy %s, numpy %s, python %s; command: /usr/bin/python3 generate_mwu_vectors.py" % (
    scipy.__version__, np.__version__, sys.version.split()[0]))
print("# lines: S name x y (the samples, floats in repr, comma-separated)")
print("#        R name method alternative use_continuity U1 pvalue (scipy's answer)")
seen = set()
for name, method, alt, cc, x, y, u, p in cases:
    if name not in seen:
        seen.add(name)
        print("\t".join(["S", name, ",".join(repr(v) for v in x), ",".join(repr(v) for v in y)]))
    print("\t".join(["R", name, method, alt, str(cc).lower(), repr(u), repr(p)]))
