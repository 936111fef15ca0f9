"""Declarative configuration: site profiles (TOML) and run settings (environment, CLI)."""

from config.profiles import ProfileError, load_profile
from config.settings import Settings

__all__ = ["ProfileError", "Settings", "load_profile"]
