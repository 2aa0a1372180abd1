"""Cooling: one technology per site; load only on it; water-stress and cooling-water bars."""

from __future__ import annotations

import numpy as np
import pandas as pd

from siting.paths import embedded_data_dir
from siting.verifier import inputs
from siting.verifier.inputs import crf
from siting.verifier.report import _mul


def _cooling_capex(ctx) -> np.ndarray:
    """(P,) annual cooling-plant cost against the reference technology, from the committed
    data/cooling_technologies.csv (EUR per MW of IT, lifetime), paid like block capex."""
    inp, sc = ctx.inp, ctx.sc
    tab = pd.read_csv(embedded_data_dir() / "cooling_technologies.csv").set_index("technology")
    r = sc.periods.discount_rate
    ref = float(tab.loc[sc.cooling.capex_reference, "capex_eur_per_mw"])
    per = np.array([(float(tab.loc[c, "capex_eur_per_mw"]) - ref)
                    * crf(r, float(tab.loc[c, "lifetime_years"])) for c in inp.C])
    k = ctx.dec["k"]  # (S,C,P) IT capacity by cooling
    paid = np.cumsum(np.diff(k, axis=2, prepend=0.0) * inp.cm[None, None, :], axis=2)
    return np.einsum("scp,c,s->p", paid, per, inp.capex_index)


def check(ctx) -> None:
    if not ctx.act["cooling"]:
        return
    inp, ck, lab, sc = ctx.inp, ctx.ck, ctx.lab, ctx.sc
    q, ld, y = ctx.dec["q"], ctx.dec["ld"], ctx.dec["y"]
    C, A = inp.C, inp.A
    ctx.blocks.append("cooling")
    if ctx.act["capex"] and sc.cooling.capex_reference is not None:
        ctx.ann["cooling"] = _cooling_capex(ctx)
    SC, SCP = ("site", "cooling"), ("site", "cooling", "period")
    ck.integral("cooling", "cooling", q, SC, lab)
    ck.check("cooling", "single technology", q.sum(axis=1), "<=", 1.0, ("site",), lab)
    ck.check("cooling", "load needs the technology", ld, "<=",
             _mul(inp.U[:, None, None], q[:, :, None]), SCP, lab)
    Mk = inp.bigM.max(axis=1) if inp.bigM.size else np.zeros(inp.S.size)
    ck.check("cooling", "capacity needs the technology", ctx.dec["k"], "<=",
             _mul(Mk[:, None, None], q[:, :, None]), SCP, lab)
    clim = inputs._climate()
    evap = np.array([c in set(clim.EVAPORATIVE) for c in C])
    needs = np.array([c in set(clim.NEEDS_COOLING_WATER) for c in C])
    stress = inp.sites["water_stress"].astype(float).to_numpy()
    stressed = stress > sc.cooling.water_stress_threshold
    ck.check("cooling", "evaporative barred at water stress", q, "==", 0.0, SC, lab,
             mask=stressed[:, None] & evap[None, :])
    has_water = inp.sites["cooling_water"].fillna(False).astype(bool).to_numpy()
    ck.check("cooling", "cooling water needed", q, "==", 0.0, SC, lab,
             mask=(~has_water)[:, None] & needs[None, :])
    for a, techs in sc.cooling.required_for_archetypes.items():
        if a not in A:
            continue
        idx = [C.index(c) for c in techs if c in C]
        has = q[:, idx].sum(axis=1) if idx else np.zeros(inp.S.size)
        ck.check("cooling", f"{a} needs {' or '.join(techs)}", y[:, A.index(a), -1], "<=", has,
                 ("site",), lab)
    only = sc.cooling.only_for_archetypes
    for j, c in enumerate(C):
        if c not in only:
            continue
        idx = [A.index(a) for a in only[c] if a in A]
        hosts = y[:, idx, -1].sum(axis=1) if idx else np.zeros(inp.S.size)
        ck.check("cooling", f"{c} only for {', '.join(only[c])}", q[:, j], "<=", hosts,
                 ("site",), lab)
