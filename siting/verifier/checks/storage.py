"""Storage: charge and discharge within power, state of charge within energy, day-cyclic
chaining, energy within max hours of power; annual cost."""

from __future__ import annotations


def check(ctx) -> None:
    if not ctx.act["storage"]:
        return
    inp, ck, lab, sc = ctx.inp, ctx.ck, ctx.lab, ctx.sc
    d = ctx.dec
    bp, be, ch, dis, soc = d["bp"], d["be"], d["ch"], d["dis"], d["soc"]
    ZHP, ZP = ("zone", "slice", "period"), ("zone", "period")
    ctx.blocks.append("storage")
    for name, v in (("storage_mw", bp), ("storage_mwh", be), ("charge_mw", ch),
                    ("discharge_mw", dis), ("soc_mwh", soc)):
        ck.check("storage", f"{name} >= 0", v, ">=", 0.0, ZP if v.ndim == 2 else ZHP, lab)
    ck.check("storage", "charge within power", ch, "<=", bp[:, None, :], ZHP, lab)
    ck.check("storage", "discharge within power", dis, "<=", bp[:, None, :], ZHP, lab)
    ck.check("storage", "state of charge within energy", soc, "<=", be[:, None, :], ZHP, lab)
    ck.check("storage", "energy within max hours", be, "<=",
             sc.renewables.storage_max_hours * bp, ZP, lab)
    eta, dur = inp.bat_eta, inp.dur
    after = soc + (eta * dur)[None, :, None] * ch - (dur / eta)[None, :, None] * dis
    ck.check("storage", "state of charge chained within each day", soc[:, inp.nxt, :], "==",
             after, ZHP, lab)
    ctx.ann["storage"] = (inp.bat_power_cost * bp + inp.bat_energy_cost * be).sum(axis=0)
    ctx.kpis["storage_mwh"] = dict(zip(inp.P.tolist(), be.sum(axis=0).tolist(), strict=True))
