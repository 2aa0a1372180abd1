"""Physics and finance precomputed with numpy/xarray."""
