"""Commands of demand forecasts: ``analyze forecast``, ``analyze stock``, ``evaluate forecast``."""

from __future__ import annotations

from typing import Any

import click

from shopmind.cli.core import _Ctx, _emit, _keep_run, analyze, evaluate, pass_ctx

_FREQ = click.Choice(["W", "D"], case_sensitive=False)


@evaluate.command("forecast")
@click.option(
    "--transactions",
    "transactions_file",
    required=True,
    type=click.Path(dir_okay=False),
    help="Invoice lines (CSV/TSV/JSONL/Parquet, .gz read as it is): item, quantity, date...",
)
@click.option("--freq", default="W", type=_FREQ, show_default=True, help="W: weeks ending Sunday.")
@click.option("--horizon", default=4, type=int, show_default=True, help="Periods ahead (1-12).")
@click.option("--top", default=500, type=int, show_default=True, help="Best sellers scored.")
@click.option(
    "--window", default=12, type=int, show_default=True, help="Targets lie in the last N periods."
)
@click.option(
    "--methods",
    default="shopmind,naive,seasonal_naive,ets,theta",
    show_default=True,
    help="Comma-separated; seasonal_naive only runs with two full seasons of history.",
)
@click.option("--map", "mapping", multiple=True, metavar="FIELD=COLUMN", help="Column names.")
@click.option("--json", "as_json", is_flag=True, help="End with one JSON line.")
@pass_ctx
def evaluate_forecast(
    obj: _Ctx,
    transactions_file: str,
    freq: str,
    horizon: int,
    top: int,
    window: int,
    methods: str,
    mapping: tuple[str, ...],
    as_json: bool,
) -> None:
    """Rolling-origin backtest of demand forecasts on a transaction log: WAPE, MASE and 80%
    interval coverage of shopmind's global model against naive, seasonal naive, ETS and Theta,
    for each of the last WINDOW - HORIZON + 1 origins (nothing after an origin in its
    features)."""
    from shopmind.insight.backtest import origins_for, run_backtest
    from shopmind.insight.forecasters import make_forecaster
    from shopmind.insight.series import build_panel
    from shopmind.insight.transactions import read_transactions

    names = [m.strip() for m in methods.split(",") if m.strip()]
    for name in names:
        make_forecaster(name)  # an unknown name fails before the file is read
    if top < 1:
        raise click.BadParameter("use 1 or more", param_hint="--top")
    sales = read_transactions(transactions_file, mapping)
    click.echo(sales.cleaning.render(), err=True)
    panel = build_panel(sales, "W" if freq.upper() == "W" else "D")
    origins_for(panel.periods, horizon, window)  # the limits, before any model runs
    result = run_backtest(
        panel, horizon=horizon, window=window, top=top, methods=names, progress=True
    )
    summary = {**result.summary(), "cleaning": sales.cleaning.as_dict()}
    command: dict[str, Any] = {
        "transactions": transactions_file,
        "freq": freq.upper(),
        "horizon": horizon,
        "top": top,
        "window": window,
        "methods": names,
    }
    _keep_run(obj.settings.home, "forecast", command, summary)
    _emit(summary, as_json, result.render())


@analyze.command("forecast")
@click.option("--freq", default="W", type=_FREQ, show_default=True, help="W: weeks ending Sunday.")
@click.option("--horizon", default=8, type=int, show_default=True, help="Periods ahead (1-12).")
@click.option("--top", default=500, type=int, show_default=True, help="Best sellers forecast.")
@click.option("--lead-time", default=2, type=int, show_default=True, help="Periods to restock.")
@click.option("--review", default=1, type=int, show_default=True, help="Periods between orders.")
@click.option("--service-level", default=0.95, type=float, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="End with one JSON line.")
@pass_ctx
def analyze_forecast(
    obj: _Ctx,
    freq: str,
    horizon: int,
    top: int,
    lead_time: int,
    review: int,
    service_level: float,
    as_json: bool,
) -> None:
    """Forecast demand of the shop, its categories and its best sellers from the store's
    purchases (reconciled so that they add up), with stock advice; saved for the console and
    GET /insight/forecast, /insight/stock."""
    from shopmind.insight.outlook import build_outlook, save_outlook
    from shopmind.insight.transactions import sales_from_events

    with obj.store() as store:
        products = {p.id: p for batch in store.iter_products() for p in batch}
        titles = {pid: p.title for pid, p in products.items()}
        sales = sales_from_events((ev for batch in store.iter_events() for ev in batch), titles)
    if len(sales) == 0:
        raise click.ClickException(
            "no purchase events in the store; ingest purchases first (README: Transactions)"
        )
    outlook = build_outlook(
        sales,
        products,
        freq="W" if freq.upper() == "W" else "D",
        horizon=horizon,
        top=top,
        lead_time=lead_time,
        review=review,
        service_level=service_level,
    )
    path = save_outlook(obj.settings.home, outlook)
    click.echo(f"forecast saved to {path}", err=True)
    summary = outlook.summary()
    total = summary["total_forecast"] or []
    text = (
        f"{sales.cleaning.render()}\n{summary['products']} products and "
        f"{summary['categories']} categories forecast {horizon} {freq.upper()} ahead in "
        f"{summary['seconds']} s; shop total (median): {', '.join(f'{v:,.0f}' for v in total)}; "
        f"{summary['stock_alerts']} products at risk of running out"
    )
    _emit(summary, as_json, text)


@analyze.command("stock")
@click.option("--limit", default=20, type=int, show_default=True, help="Rows shown.")
@click.option("--json", "as_json", is_flag=True, help="End with one JSON line.")
@pass_ctx
def analyze_stock(obj: _Ctx, limit: int, as_json: bool) -> None:
    """Stock advice from the latest forecast (shopmind analyze forecast): reorder point, order
    quantity and stock-out risk per product, the riskiest first."""
    from shopmind.insight.outlook import load_outlook

    outlook = load_outlook(obj.settings.home)
    rows = outlook.stock[:limit]
    lines = [f"{'product':14} {'on hand':>8} {'reorder at':>10} {'order':>8} {'risk':>6}  action"]
    for a in rows:
        risk = "-" if a["stockout_risk"] is None else f"{a['stockout_risk']:.2f}"
        hand = "-" if a["on_hand"] is None else f"{a['on_hand']:.0f}"
        lines.append(
            f"{a['product'][:14]:14} {hand:>8} {a['reorder_point']:10.1f} "
            f"{a['order_quantity']:8.1f} {risk:>6}  {a['action']}"
        )
    _emit({"stock": rows, "made_at": outlook.made_at}, as_json, "\n".join(lines))
