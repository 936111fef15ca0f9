"""`unn-ingest config`: the effective settings, where each came from, and what each allows.

A value comes from an option (`--origin`, `--db`, `--data-dir`), the environment
(`UNN_INGEST_*`), the site profile (politeness, retry delays, User-Agent) or the default.
The database URL is shown without its password.
"""

from __future__ import annotations

import os
from typing import Any

import typer
from typer._click.core import ParameterSource
from typer._click.globals import get_current_context

from unn_ingest.flows.cli.options import DataDir, Db, JsonOut, Origin, console, print_json

# Settings left unset (None) take the profile's value; the attribute of SiteProfile it is.
FROM_PROFILE = {
    "origin": "origin",
    "requests_per_second": "requests_per_second",
    "max_concurrency": "max_concurrency",
    "user_agent": "user_agent",
}
FROM_RETRIES = ("retry_delay_seconds", "retry_delay_cap_seconds")
OPTION_PARAMS = {"origin": "origin", "db_url": "db", "data_dir": "data_dir"}


def config(
    origin: Origin = None, db: Db = None, data_dir: DataDir = None, json_out: JsonOut = False
) -> None:
    """Print the effective settings, where each came from and the range each allows."""
    from unn_ingest.config import Settings
    from unn_ingest.flows.cli.options import user_errors

    given = {"origin": origin, "db_url": db, "data_dir": data_dir}
    with user_errors():
        settings = Settings(**{k: v for k, v in given.items() if v is not None})  # type: ignore[arg-type]
        settings.pacing()  # a public origin without pacing is refused here too
        rows = setting_rows(settings, _options_typed())
    if json_out:
        print_json(rows)
        return
    for row in rows:  # in the shell's own syntax, so a line can be copied as it is
        line = f"{row['variable']}={_text(row['value'])}  # {row['source']}; {row['allowed']}"
        console.print(line, soft_wrap=True, highlight=False, markup=False)


def setting_rows(settings: Any, typed: set[str]) -> list[dict[str, Any]]:
    """Return one row per setting: variable, effective value, its source, what it allows."""
    from unn_ingest.config import load_profile
    from unn_ingest.config.checks import allowed_text
    from unn_ingest.config.settings import ENV_PREFIX, is_loopback

    profile = load_profile(settings.profile, origin=settings.origin)
    rate, concurrency = settings.pacing()
    rows = []
    for name, field in type(settings).model_fields.items():
        variable = ENV_PREFIX + name.upper()
        value, source = getattr(settings, name), _source(name, variable, typed)
        if source == "default" and value is None:
            value, source = _from_profile(name, profile)
        source = "unset" if value is None else source
        if source != "option" and name in ("requests_per_second", "max_concurrency"):
            loopback = is_loopback(settings.origin) and getattr(settings, name) is None
            effective = {"requests_per_second": rate, "max_concurrency": concurrency}[name]
            value = value if effective is None else effective
            source = "default for a loopback origin" if loopback else source
        rows.append(
            {
                "variable": variable,
                "value": _shown(name, value, settings),
                "source": source,
                "allowed": allowed_text(field),
            }
        )
    return rows


def _source(name: str, variable: str, typed: set[str]) -> str:
    if name in typed:
        return "option"
    if any(key.upper() == variable for key in os.environ):
        return "environment"
    return "default"


def _from_profile(name: str, profile: Any) -> tuple[Any, str]:
    where = f"profile {profile.name}"
    if name in FROM_PROFILE:
        return getattr(profile, FROM_PROFILE[name]), where
    if name in FROM_RETRIES:
        return getattr(profile.retries, name), f"{where} [retries]"
    return None, "default"


def _shown(name: str, value: Any, settings: Any) -> Any:
    if name == "db_url":
        from sqlalchemy.engine import make_url

        url = make_url(settings.database_url())
        return url.render_as_string(hide_password=True)
    if name == "data_dir":
        return str(value.resolve())
    return value


def _options_typed() -> set[str]:
    """Return the settings given as options on the command line (not from the environment)."""
    ctx = get_current_context(silent=True)
    if ctx is None:
        return set()
    return {
        name
        for name, param in OPTION_PARAMS.items()
        if ctx.get_parameter_source(param) == ParameterSource.COMMANDLINE
    }


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return f"'{text}'" if " " in text else text


def register(app: typer.Typer) -> None:
    """Add the `config` command to the CLI."""
    app.command()(config)
