"""Write an N-candidate instance folder derived from the embedded EU data (issue 13).

    python benchmarks/make_instance.py 10000 [--out DIR] [--seed 0]

The rule (:func:`siting.data.synthetic.jittered_sites`): the 787 embedded candidates are
repeated until there are N; copy 0 of each is the original, every further copy is moved by a
normal jitter of 0.05° (≈ 5 km) in longitude and latitude (kept inside the Europe box), its grid
headroom and land area are multiplied by a uniform 0.7–1.3 factor and its electricity price by
0.9–1.1. Country, zone, substation and every other column are kept, so the embedded profiles,
country figures and substation capacities apply (copies share their original's substation).
The same N and seed give the same folder. Solve it with
``siting run eu-triple-2030 --data DIR``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from siting.data import load
from siting.data.synthetic import write_jittered_instance


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="number of candidate sites (> 0)")
    ap.add_argument("--out", type=Path, default=None, help="folder (default: jitter-N-SEED)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the perturbation")
    args = ap.parse_args()
    if args.n <= 0:
        raise SystemExit("n must be a positive number of sites")
    out = args.out or Path(f"jitter-{args.n}-{args.seed}")
    folder = write_jittered_instance(load(), args.n, out, seed=args.seed)
    print(f"wrote {args.n:,} candidates to {folder}")


if __name__ == "__main__":
    main()
