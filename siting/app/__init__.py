"""What the Streamlit app (``app/``) needs beyond the modeller's API, testable without Streamlit.

* :mod:`siting.app.store` — analyst workspaces, the run registry on disk, background runs;
* :mod:`siting.app.worker` — the worker subprocess of one run (``python -m siting.app.worker``);
* :mod:`siting.app.levers` — widgets ↔ scenario overrides, scenario uploads, presets;
* :mod:`siting.app.compare` — runs side by side;
* :mod:`siting.app.maps` and :mod:`siting.app.charts` — map layers and plotly figures;
* :mod:`siting.app.site` — one site's costs and indicators.

The HTML report is :mod:`siting.report`; money and units are formatted by :mod:`siting.fmt`.
The names below are re-exported so the pages can ``import siting.app as sup``.
"""

from siting.app.charts import capacity_frame, cost_frame, fig_capacity, fig_costs
from siting.app.compare import kpi_table, site_diff
from siting.app.levers import (
    MAX_UPLOAD_BYTES,
    Levers,
    apply_levers,
    cooling_options,
    levers_of,
    parse_scenario_upload,
    preset_names,
)
from siting.app.maps import (
    DIFF_COLOURS,
    PALETTE,
    REJECTED_COLOUR,
    TOOLTIP,
    colour_map,
    country_outlines,
    map_points,
    site_deck,
    view_for,
)
from siting.app.site import connection_text, site_costs
from siting.app.store import (
    ACTIVE_STATES,
    DEFAULT_RUNS_DIR,
    FINAL_STATES,
    MAX_ACTIVE_RUNS,
    RESULT_FILES,
    RUNS_ENV,
    STAGES,
    WORKER_MODULE,
    RunInfo,
    RunResult,
    RunStore,
    _update_status,
    cancel_run,
    fmt_time,
    is_valid_analyst_id,
    load_result,
    log_tail,
    new_analyst_id,
    read_info,
    refresh_status,
    runs_root,
    start_run,
)
from siting.app.worker import main, run_worker
from siting.fmt import KPI_ROWS, kpi_value
from siting.report import html_report

__all__ = [
    "capacity_frame", "cost_frame", "fig_capacity", "fig_costs", "kpi_table", "site_diff",
    "MAX_UPLOAD_BYTES", "Levers", "apply_levers", "cooling_options", "levers_of",
    "parse_scenario_upload", "preset_names", "DIFF_COLOURS", "PALETTE", "REJECTED_COLOUR",
    "TOOLTIP", "colour_map", "country_outlines", "map_points", "site_deck", "view_for",
    "site_costs", "connection_text", "ACTIVE_STATES", "DEFAULT_RUNS_DIR", "FINAL_STATES",
    "MAX_ACTIVE_RUNS",
    "RESULT_FILES", "RUNS_ENV", "STAGES", "WORKER_MODULE", "RunInfo", "RunResult", "RunStore",
    "_update_status", "cancel_run", "fmt_time", "is_valid_analyst_id", "load_result",
    "log_tail", "new_analyst_id", "read_info", "refresh_status", "runs_root", "start_run",
    "main", "run_worker", "KPI_ROWS", "kpi_value", "html_report",
]
