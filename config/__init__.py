"""Declarative configuration: site profiles (TOML) and run settings (environment, CLI)."""

from unn_ingest.config.profiles import ProfileError, load_profile
from unn_ingest.config.settings import Settings, SettingsError

__all__ = ["ProfileError", "Settings", "SettingsError", "load_profile"]
