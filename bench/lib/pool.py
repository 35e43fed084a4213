#!/usr/bin/env python3
"""Pools the cycles of several bench/paired.sh reports: per cycle, the mean req/s of a build's JVMs (NAME,
NAME-jvm2, ...) over the mean of the baseline's, then the median over every cycle of every report with a 95%
bootstrap interval of that median (paired.sh's method for one report, with 10,000 resamples instead of its
2,000; fixed seed).

Usage: bench/lib/pool.py [--build budgets] [--baseline off] bench/out/paired-A.md bench/out/paired-B.md ...
"""
import argparse
import random
import statistics


def cycles(path, build, baseline):
    """(kind, ratio) for each cycle of the report's "Every run" table."""
    lines = open(path, encoding="utf-8").read().splitlines()
    header = next((i for i, line in enumerate(lines) if line.startswith("| Cycle | Kind |")), None)
    if header is None:
        raise SystemExit(f"{path}: no 'Every run' table")
    names = [c.strip() for c in lines[header].strip("|").split("|")][2:]

    def member(name, of):
        return name == of or name.startswith(of + "-jvm")

    for line in lines[header + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        reqs = {n: float(c.split(",")[0]) for n, c in zip(names, cells[2:]) if c}
        ours = [v for n, v in reqs.items() if member(n, build)]
        base = [v for n, v in reqs.items() if member(n, baseline)]
        if ours and base:
            yield cells[1], (sum(ours) / len(ours)) / (sum(base) / len(base))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="budgets")
    parser.add_argument("--baseline", default="off")
    parser.add_argument("reports", nargs="+")
    args = parser.parse_args()
    by_kind = {}
    for path in args.reports:
        for kind, ratio in cycles(path, args.build, args.baseline):
            by_kind.setdefault(kind, []).append(ratio)
    rnd = random.Random(42)
    print(f"{args.build} / {args.baseline}, {len(args.reports)} report(s)")
    for kind, ratios in by_kind.items():
        medians = sorted(statistics.median(rnd.choices(ratios, k=len(ratios))) for _ in range(10_000))
        print(f"{kind}: {len(ratios)} cycles, median {statistics.median(ratios):.3f}, 95% interval "
              f"{medians[250]:.3f}-{medians[9749]:.3f} (min {min(ratios):.2f}, max {max(ratios):.2f})")


if __name__ == "__main__":
    main()
