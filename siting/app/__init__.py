"""What the Streamlit app (``app/``) needs beyond the modeller's API, testable without Streamlit.

* :mod:`siting.app.store` — analyst workspaces, the run registry on disk, background runs;
* :mod:`siting.app.worker` — the worker subprocess of one run (``python -m siting.app.worker``);
* :mod:`siting.app.levers` — widgets ↔ scenario overrides, scenario uploads, presets;
* :mod:`siting.app.compare` — runs side by side;
* :mod:`siting.app.maps` and :mod:`siting.app.charts` — map layers and plotly figures;
* :mod:`siting.app.site` — one site's costs and indicators;
* :mod:`siting.app.robustness` — selection frequency and no-regret sites across runs or a sweep;
* :mod:`siting.app.brief` — bid briefs as background runs;
* :mod:`siting.app.report` — the self-contained HTML report of a run (written by the worker).

Money and units are formatted by :mod:`siting.fmt`.
The names below are re-exported so the pages can ``import siting.app as sup``.
"""

from siting.app.brief import BRIEF_FILES, brief_file, create_brief, load_brief
from siting.app.charts import (
    capacity_frame,
    cost_frame,
    fig_capacity,
    fig_costs,
    fig_diff_costs,
    fig_diff_country,
)
from siting.app.compare import cost_diff, country_diff, headline, kpi_table, site_diff
from siting.app.levers import (
    MAX_UPLOAD_BYTES,
    LeverIssue,
    Levers,
    apply_levers,
    check_levers,
    cooling_options,
    levers_of,
    parse_scenario_upload,
    preflight,
    preset_names,
    related_bounds,
)
from siting.app.maps import (
    DIFF_COLOURS,
    PALETTE,
    REJECTED_COLOUR,
    TOOLTIP,
    colour_map,
    country_outlines,
    frequency_colour,
    frequency_legend_html,
    map_points,
    robustness_points,
    site_deck,
    view_for,
)
from siting.app.report import html_report, kpi_notes, sites_map
from siting.app.robustness import (
    MAX_SWEEP_UPLOAD_MB,
    Futures,
    futures_from_runs,
    futures_from_upload,
    plans_view,
    robustness_downloads,
    robustness_numbers,
    robustness_table,
    robustness_view,
    run_record,
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
    file_stem,
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

__all__ = [
    "BRIEF_FILES", "brief_file", "create_brief", "load_brief",
    "capacity_frame", "cost_frame", "fig_capacity", "fig_costs", "fig_diff_costs",
    "fig_diff_country", "cost_diff", "country_diff", "headline", "kpi_table", "site_diff",
    "MAX_UPLOAD_BYTES", "Levers", "apply_levers", "cooling_options", "levers_of",
    "parse_scenario_upload", "preset_names", "LeverIssue", "check_levers", "preflight",
    "related_bounds", "DIFF_COLOURS", "PALETTE", "REJECTED_COLOUR",
    "TOOLTIP", "colour_map", "country_outlines", "frequency_colour", "frequency_legend_html",
    "map_points", "robustness_points", "site_deck", "view_for",
    "MAX_SWEEP_UPLOAD_MB", "Futures", "futures_from_runs", "futures_from_upload", "plans_view",
    "robustness_downloads", "robustness_numbers", "robustness_table", "robustness_view",
    "run_record",
    "site_costs", "connection_text", "ACTIVE_STATES", "DEFAULT_RUNS_DIR", "FINAL_STATES",
    "MAX_ACTIVE_RUNS",
    "RESULT_FILES", "RUNS_ENV", "STAGES", "WORKER_MODULE", "RunInfo", "RunResult", "RunStore",
    "_update_status", "cancel_run", "file_stem", "fmt_time", "is_valid_analyst_id", "load_result",
    "log_tail", "new_analyst_id", "read_info", "refresh_status", "runs_root", "start_run",
    "main", "run_worker", "KPI_ROWS", "kpi_value", "html_report", "kpi_notes", "sites_map",
]
