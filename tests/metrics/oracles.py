"""Independent reference implementations, written from the definitions with plain loops.

They share no code with finvision.metrics: each one counts scores against every
candidate threshold directly, so they are slow and obviously right.
"""

import math


def candidate_thresholds(*groups):
    """Every distinct score, ascending, then +inf (rejects everything)."""
    return [*sorted({float(s) for group in groups for s in group}), math.inf]


def accept_rate(scores, threshold):
    return sum(1 for s in scores if s >= threshold) / len(scores)


def reject_rate(scores, threshold):
    return sum(1 for s in scores if s < threshold) / len(scores)


def eer_fvc2000(genuine, impostor):
    """EER by the text of Maio et al. (FVC2000): t1 = max{t | FNMR(t) <= FMR(t)},
    t2 = min{t | FNMR(t) >= FMR(t)}; the interval of the one with the smaller
    FMR + FNMR (t1 on a tie); EER = its midpoint. Returns (eer, threshold)."""
    points = [
        (t, accept_rate(impostor, t), reject_rate(genuine, t))
        for t in candidate_thresholds(genuine, impostor)
    ]
    t1 = max((p for p in points if p[2] <= p[1]), key=lambda p: p[0])
    t2 = min((p for p in points if p[2] >= p[1]), key=lambda p: p[0])
    chosen = t1 if t1[1] + t1[2] <= t2[1] + t2[2] else t2
    return (chosen[1] + chosen[2]) / 2, chosen[0]


def best_reject_at_accept(positive, negative, target):
    """min over thresholds of reject_rate(positive) subject to accept_rate(negative) <= target,
    and the smallest threshold reaching it."""
    feasible = [
        (reject_rate(positive, t), t)
        for t in candidate_thresholds(positive, negative)
        if accept_rate(negative, t) <= target
    ]
    best = min(rate for rate, _ in feasible)
    return best, min(t for rate, t in feasible if rate == best)


def apcer_bpcer(scores, is_attack, species, threshold):
    """ISO/IEC 30107-3 by counting: per-species APCER, max, BPCER."""
    per_species = {}
    for name in dict.fromkeys(sp for sp, a in zip(species, is_attack, strict=True) if a):
        attacks = [
            s for s, a, sp in zip(scores, is_attack, species, strict=True) if a and sp == name
        ]
        per_species[name] = accept_rate(attacks, threshold)
    bona_fide = [s for s, a in zip(scores, is_attack, strict=True) if not a]
    return per_species, max(per_species.values()), reject_rate(bona_fide, threshold)


def bpcer_at_apcer(scores, is_attack, species, target):
    """min BPCER over thresholds where every species' APCER <= target."""
    feasible = [
        apcer_bpcer(scores, is_attack, species, t)[2]
        for t in candidate_thresholds(scores)
        if apcer_bpcer(scores, is_attack, species, t)[1] <= target
    ]
    return min(feasible)


def levenshtein(a, b):
    """The textbook dynamic programme over the full (len(a)+1) x (len(b)+1) table."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        table[i][0] = i
    for j in range(len(b) + 1):
        table[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i][j] = min(
                table[i - 1][j] + 1,
                table[i][j - 1] + 1,
                table[i - 1][j - 1] + (a[i - 1] != b[j - 1]),
            )
    return table[len(a)][len(b)]
