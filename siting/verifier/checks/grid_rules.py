"""Grid rules: on-site generation ≥ connection above the threshold (and its cost), Dutch zoning
bound, MVA cap, renewable share of the bound sites; each only for rules on and in force."""

from __future__ import annotations

import json

import numpy as np

from siting.verifier.facility import annual

TIMING = ("acceleration_zone", "no_new_connection_before")


def _in_force(row, P: np.ndarray) -> np.ndarray:
    until = int(row["year_until"])
    return (P >= int(row["year_from"])) & ((until == 0) | (P <= until))


def check(ctx) -> None:
    ck, lab, inp = ctx.ck, ctx.lab, ctx.inp
    gi = ctx.derived["grid"]
    r = ctx.derived["connection"]  # (S,P) MW
    P = inp.P
    SP = ("site", "period")
    live = []
    for rid, row in gi.rules.iterrows():
        if gi.on[str(rid)] and row["kind"] not in TIMING and row["kind"] != "zoning_only":
            b, f = gi.binds[str(rid)], _in_force(row, P)
            if b.any() and f.any():
                live.append((str(rid), row, b, f))
    need = np.zeros(r.shape, dtype=bool)
    thr = np.full(r.shape, np.inf)
    for _, row, b, f in live:
        if row["kind"] == "dispatchable_generation_required":
            cell = b[:, None] & f[None, :]
            need |= cell
            thr = np.where(cell, np.minimum(thr, float(row["value"])), thr)
    d = ctx.read("onsite_generation_mw", SP, bool(need.any()), "grid_rules")
    if not live:
        return
    ctx.blocks.append("grid_rules")
    big = r >= thr + ck.tol * np.maximum(1.0, thr)  # T MVA or more (beyond the tolerance)
    ck.check("grid_rules", "onsite generation >= 0", d, ">=", 0.0, SP, lab)
    ck.check("grid_rules", "on-site dispatchable generation = import capacity", d, ">=", r, SP,
             lab, mask=need & big)
    ck.check("grid_rules", "no on-site generation where no rule asks", d, "==", 0.0, SP, lab,
             mask=~need)
    if need.any():
        ctx.ann["onsite_generation"] = (d * gi.onsite_price[None, :]).sum(axis=0)
    for rid, row, b, f in live:
        kind, v = row["kind"], float(row["value"])
        if kind == "max_connection_mw_outside_zones":
            ck.check("grid_rules", f"{rid}: connection outside the allowed zones", r, "<=", v,
                     SP, lab, mask=b[:, None] & f[None, :])
        elif kind == "mva_cap":
            tot = r[b].sum(axis=0)
            ck.check("grid_rules", f"{rid}: MVA cap", tot, "<=", v, ("period",), lab, mask=f)
        elif kind == "additional_renewable_share_required":
            if not (ctx.act["renewables"] and inp.T):
                continue
            prm = json.loads(row["params"]) if isinstance(row["params"], str) else {}
            glide = float(prm.get("glide_path_years", 0) or 0)
            share = (v * np.clip((P - int(row["year_from"])) / glide, 0, 1) if glide > 0
                     else np.full(P.size, v))
            ld, mt = ctx.dec["ld"], ctx.dec["m"]  # (S,C,P), (Z,H,P)
            e_site = annual(inp, ld, ctx.dec["k"])  # facility MWh/yr (A ℓ + B k)
            for z in sorted(set(inp.zi[b].tolist())):
                mine = b & (inp.zi == z)
                matched = (mt[z] * inp.w[:, None]).sum(axis=0)
                ck.check("grid_rules", f"{rid}: renewable share in {inp.Z[z]}", matched, ">=",
                         share * e_site[mine].sum(axis=0), ("period",), lab, mask=f)
