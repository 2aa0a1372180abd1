"""Standards (with standards.enforce): annual PUE ≤ max_pue and ERF ≥ min_erf per site."""

from __future__ import annotations

from siting.verifier.facility import annual


def check(ctx) -> None:
    st = ctx.sc.standards
    if not (st.enforce and ctx.act.get("standards", True)):
        return
    inp, ck, lab = ctx.inp, ctx.ck, ctx.lab
    ld, e = ctx.dec["ld"], ctx.dec["e"]
    SP = ("site", "period")
    ctx.blocks.append("standards")
    fac = annual(inp, ld, ctx.dec["k"])  # facility energy (MWh/yr): A ℓ + B k
    it_energy = ld.sum(axis=1) * float(inp.w.sum())
    if st.max_pue is not None:
        ck.check("standards", "annual PUE <= max_pue", fac, "<=", st.max_pue * it_energy,
                 SP, lab)
    if st.min_erf is not None and st.min_erf > 0:
        ck.check("standards", "ERF >= min_erf", e, ">=", st.min_erf * fac, SP, lab)
