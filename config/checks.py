"""One line for a value that settings or a profile refuse: which, the value, what is allowed.

The ranges are the ones the models declare (`Field(ge=…, le=…)`), read back from the models,
so the message and the check cannot disagree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotated_types import Ge, Gt, Le, Lt, MinLen
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from unn_ingest.config.settings import ENV_PREFIX, Settings

# The CLI options that set a setting too (the option wins over the variable).
OPTIONS = {"origin": "--origin", "db_url": "--db", "data_dir": "--data-dir", "cron": "--cron"}
TYPE_WORDS = {int: "an integer", float: "a number", bool: "true or false", Path: "a path"}


def settings_error_line(error: ValidationError) -> str:
    """Return a settings validation error as one line: each bad setting, value and range."""
    return "invalid setting " + "; ".join(_setting_problem(e) for e in error.errors())


def _setting_problem(error: Any) -> str:
    if not error["loc"]:  # a check across settings: its message names them
        return _message(error)
    name = str(error["loc"][0])
    variable = ENV_PREFIX + name.upper()
    who = f"{variable} ({OPTIONS[name]})" if name in OPTIONS else variable
    return f"{who}={_shown(error.get('input'))}: {_detail(error, Settings, name)}"


def profile_error_line(error: ValidationError, path: Path, model: type[BaseModel]) -> str:
    """Return a profile validation error as one line naming the file and each key's place."""
    problems = []
    for e in error.errors():
        place = _place(e["loc"])
        if e["type"] == "missing":
            problems.append(f"{place} is missing")
        elif e["type"] == "extra_forbidden":
            problems.append(f"{place} is not a known key (mistyped?)")
        else:
            field = _field_of(model, e["loc"])
            allowed = _message(e) if field is None else _detail(e, None, "", field)
            problems.append(f"{place}={_shown(e.get('input'))}: {allowed}")
    return f"site profile {path} is malformed: {'; '.join(problems)}"


def allowed_text(field: FieldInfo) -> str:
    """Return what a field allows, in words: its type and bounds ("an integer from 1 to 64")."""
    kind = field.description or next(
        (w for t, w in TYPE_WORDS.items() if _accepts(field.annotation, t)), "text"
    )
    bounds = {type(m): m for m in field.metadata}
    low = bounds.get(Ge) or bounds.get(Gt)
    high = bounds.get(Le) or bounds.get(Lt)
    parts = []
    if isinstance(low, Ge) and isinstance(high, Le):
        return f"{kind} from {_number(low.ge)} to {_number(high.le)}"
    if isinstance(low, Ge):
        parts.append(f"at least {_number(low.ge)}")
    if isinstance(low, Gt):
        parts.append(f"more than {_number(low.gt)}")
    if isinstance(high, Le):
        parts.append(f"at most {_number(high.le)}")
    if isinstance(high, Lt):
        parts.append(f"less than {_number(high.lt)}")
    if isinstance(bounds.get(MinLen), MinLen):
        parts.append("not empty")
    separator = ", " if field.description else " "
    return kind + (separator + ", ".join(parts) if parts else "")


def _number(value: Any) -> str:
    return f"{value:.15g}"


def _detail(error: Any, model: type[BaseModel] | None, name: str, field: Any = None) -> str:
    if error["type"] == "value_error":
        return _message(error)
    field = field or (model.model_fields.get(name) if model else None)
    return f"allowed: {allowed_text(field)}" if field is not None else _message(error)


def _message(error: Any) -> str:
    return str(error["msg"]).removeprefix("Value error, ")


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, str) and (not value or " " in value) else str(value)


def _place(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text or "the file"


def _field_of(model: type[BaseModel], loc: tuple[Any, ...]) -> FieldInfo | None:
    """Return the field a location points at, following nested models and lists."""
    current: Any = model
    field = None
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return None
        field = fields[part]
        current = _inner_model(field.annotation)
    return field


def _inner_model(annotation: Any) -> Any:
    for arg in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _accepts(annotation: Any, kind: type) -> bool:
    if annotation is kind:
        return True
    return kind in getattr(annotation, "__args__", ()) and not (
        kind is int and float in getattr(annotation, "__args__", ())
    )
