"""The cost of one Bayes update of a belief, against a bare loop doing the same arithmetic.

Run from the repository root::

    python benchmarks/bench_beliefs.py            # 2, 10 and 100 types
    python benchmarks/bench_beliefs.py --quick    # fewer repeats
    python benchmarks/bench_beliefs.py 3 1000     # other numbers of types

For each number of types n it times :meth:`negsim.beliefs.Belief.update` on a belief
over n equally likely types, and a bare loop over a plain list of n floats that does
the same arithmetic (the products, their sum, one division per type, in place) and
nothing else: no checks, no rescaling. It reports the median time per update of each
and their ratio, and the same for :meth:`~negsim.beliefs.Belief.update_with` against a
bare loop that calls the same likelihood function once per type before the same
arithmetic. The two observations alternate, the second undoing the first, so the
belief stays near uniform and no probability drifts towards the subnormal range (where
arithmetic is slower on some processors).

Every figure is a median over repeats, the repeats of the two contenders interleaved;
every comparison is a ratio of figures measured in this same run, on this machine.
Nothing here is asserted: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence

from negsim.beliefs import Belief
from negsim.model._types import AgentType, UniformPrior


def bare_update(p: list[float], likelihoods: Sequence[float]) -> float:
    """Bayes' rule on a plain list, in place: the arithmetic of Belief.update, unchecked."""
    total = 0.0
    for prior, likelihood in zip(p, likelihoods, strict=True):
        total += prior * likelihood
    for i, likelihood in enumerate(likelihoods):
        p[i] = p[i] * likelihood / total
    return total


def bare_update_with(
    p: list[float],
    types: Sequence[AgentType],
    likelihood: Callable[[AgentType], float],
    buffer: list[float],
) -> float:
    """As bare_update, with the likelihoods computed by a function of the type first."""
    for i, agent_type in enumerate(types):
        buffer[i] = likelihood(agent_type)
    return bare_update(p, buffer)


def observations(n: int) -> tuple[list[float], list[float]]:
    """Two likelihood vectors whose products are constant: together they change nothing."""
    first = [0.2 + 0.6 * i / max(n - 1, 1) for i in range(n)]
    second = [first[0] / x for x in first]
    return first, second


def per_call(step: Callable[[], object], loops: int) -> float:
    """Seconds per call of ``step``, over ``loops`` calls."""
    start = time.perf_counter()
    for _ in range(loops):
        step()
    return (time.perf_counter() - start) / loops


def compare(
    ours: Callable[[], object], bare: Callable[[], object], loops: int, repeats: int
) -> tuple[float, float]:
    """Median seconds per call of each, their repeats interleaved (after a warm-up)."""
    per_call(ours, loops // 10 + 1)
    per_call(bare, loops // 10 + 1)
    times_ours, times_bare = [], []
    for _ in range(repeats):
        times_ours.append(per_call(ours, loops))
        times_bare.append(per_call(bare, loops))
    return statistics.median(times_ours), statistics.median(times_bare)


def bench(n: int, repeats: int) -> list[tuple[str, int, float, float]]:
    """Rows (what, n, median seconds per update of ours, of the bare loop)."""
    prior = UniformPrior("c", 0.0, 1.0, points=n)
    first, second = observations(n)
    loops = max(100, 20_000 // n)

    belief = Belief("X", prior)
    plain = list(belief.probabilities)
    flip = [True]

    def ours() -> None:
        belief.update(first if flip[0] else second)
        flip[0] = not flip[0]

    def bare() -> None:
        bare_update(plain, first if flip[0] else second)
        flip[0] = not flip[0]

    update = compare(ours, bare, loops, repeats)

    by_name = {t.name: (a, b) for t, a, b in zip(prior.types, first, second, strict=True)}
    types = prior.types
    buffer = [0.0] * n

    def likelihood_first(agent_type: AgentType) -> float:
        return by_name[agent_type.name][0]

    def likelihood_second(agent_type: AgentType) -> float:
        return by_name[agent_type.name][1]

    def ours_with() -> None:
        belief.update_with(likelihood_first if flip[0] else likelihood_second)
        flip[0] = not flip[0]

    def bare_with() -> None:
        fn = likelihood_first if flip[0] else likelihood_second
        bare_update_with(plain, types, fn, buffer)
        flip[0] = not flip[0]

    update_with = compare(ours_with, bare_with, loops, repeats)
    return [("update", n, *update), ("update_with", n, *update_with)]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[2, 10, 100])
    parser.add_argument("--quick", action="store_true", help="5 repeats instead of 21")
    args = parser.parse_args(argv)
    repeats = 5 if args.quick else 21
    print(f"Bayes update of a belief against a bare loop ({repeats} repeats, medians)\n")
    print("| call | types | negsim (us) | bare loop (us) | ratio |")
    print("|---|---:|---:|---:|---:|")
    for n in args.sizes:
        for what, size, ours, bare in bench(n, repeats):
            print(
                f"| `{what}` | {size} | {ours * 1e6:.3g} | {bare * 1e6:.3g} | {ours / bare:.2f} |"
            )


if __name__ == "__main__":
    main()
