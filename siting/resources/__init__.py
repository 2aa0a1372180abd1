"""Files shipped with the package: the embedded dataset, the preset scenarios and the app.

In a wheel they live here (``siting/resources/data``, ``models``, ``app``), packaged from the
repository's top-level ``data/``, ``models/`` and ``app/`` folders (pyproject.toml,
``[tool.setuptools.package-dir]``); in a source checkout or an editable install
:mod:`siting.paths` reads the repository folders themselves.
"""
