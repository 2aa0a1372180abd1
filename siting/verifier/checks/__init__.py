"""One verifier check per block of docs/MODEL.md: ``check(ctx)`` in each module.

Each module re-checks its block's rows on the decisions read from the solution and sets its
annual cost component, from the inputs recomputed in :mod:`siting.verifier.inputs` — never from
the model's code.
"""
