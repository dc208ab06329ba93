from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.database_url import (
    ACCEPTED_DATABASE_URLS,
    ConfigurationError,
    check_database_url,
    default_database_url,
)

__all__ = ["ACCEPTED_DATABASE_URLS", "ConfigurationError", "Settings", "check_database_url", "default_database_url",
           "load_settings", "setting_name"]


class Settings(BaseSettings):
    """Flags win over environment variables, which win over a .env file, then these defaults."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    in_memory: bool = False
    database_url: str = Field(
        default_factory=default_database_url, validation_alias=AliasChoices("TIKTOK_OMS_DATABASE_URL", "database_url")
    )
    app_key: str = Field(default="sandbox-app-key", validation_alias=AliasChoices("TIKTOK_APP_KEY", "app_key"))
    app_secret: SecretStr = Field(
        default=SecretStr("sandbox-app-secret"), validation_alias=AliasChoices("TIKTOK_APP_SECRET", "app_secret")
    )
    service_id: str = Field(default="sandbox-service", validation_alias=AliasChoices("TIKTOK_SERVICE_ID", "service_id"))
    redirect_url: str = Field(
        default="http://127.0.0.1:8765/callback", validation_alias=AliasChoices("TIKTOK_REDIRECT_URL", "redirect_url")
    )
    api_base_url: str = Field(
        default="https://open-api.tiktokglobalshop.com",
        validation_alias=AliasChoices("TIKTOK_API_BASE_URL", "api_base_url"),
    )
    auth_base_url: str = Field(
        default="https://auth.tiktok-shops.com", validation_alias=AliasChoices("TIKTOK_AUTH_BASE_URL", "auth_base_url")
    )
    authorize_url: str = Field(
        default="https://services.tiktokshop.com/open/authorize",
        validation_alias=AliasChoices("TIKTOK_AUTHORIZE_URL", "authorize_url"),
    )
    # Positive and finite: nan or 0 would make every TikTok call fail (or never time out).
    http_timeout_seconds: float = Field(default=30.0, gt=0, allow_inf_nan=False, validation_alias=AliasChoices("TIKTOK_OMS_HTTP_TIMEOUT", "http_timeout_seconds"))
    # S-6: the Fernet key(s) that encrypt the stores' tokens at rest, comma-separated, the first
    # current; unset, they are read from (or a new one is written to) the key file, 0600.
    secret_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TIKTOK_OMS_SECRET_KEY", "secret_key")
    )
    secret_key_file: Path | None = Field(
        default=None, validation_alias=AliasChoices("TIKTOK_OMS_SECRET_KEY_FILE", "secret_key_file"),
        description="The key file (default: secret.key in the data folder).",
    )
    # The web app (adapters/web): the key that signs session cookies. Unset, a random key is made
    # at start-up (sessions then end when the server restarts).
    session_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TIKTOK_OMS_SESSION_SECRET", "session_secret")
    )
    session_hours: float = Field(
        default=12.0, gt=0, validation_alias=AliasChoices("TIKTOK_OMS_SESSION_HOURS", "session_hours")
    )

    # Always on (issue 10): the schedule and the job queue. Seconds throughout.
    sync_interval_seconds: float = Field(
        default=300.0, gt=0, validation_alias=AliasChoices("TIKTOK_OMS_SYNC_INTERVAL", "sync_interval_seconds"),
        description="Each connected store is synced at least this often (seconds).",
    )
    # Re-read window of each sync (issue 13). TikTok's docs warn that an order's update_time may
    # fall outside the window asked for while TikTok refreshes it (search lags its writes), and
    # integrators overlap windows by two hours (Hemi: `last_run - 2 h`; TIKTOK_API.md 3.1, 8):
    # so each sync reads again the last two hours. The re-reads cost little: an order whose
    # update_time and bytes match what is stored is skipped before any parsing or writing.
    sync_overlap_seconds: int = Field(
        default=7200, ge=0, le=30 * 86400,
        validation_alias=AliasChoices("TIKTOK_OMS_SYNC_OVERLAP_SECONDS", "sync_overlap_seconds"),
        description="Each sync reads again the orders updated this long before the last one ended (seconds).",
    )
    # A straggler that TikTok's search shows later than the overlap: once per this period (the
    # first sync after each period boundary, UTC), a sync reads the whole period again; 0 never.
    sync_deep_window_seconds: int = Field(
        default=86400, ge=0, le=90 * 86400,
        validation_alias=AliasChoices("TIKTOK_OMS_SYNC_DEEP_WINDOW_SECONDS", "sync_deep_window_seconds"),
        description="Once per this period a sync reads this far back (seconds; 0: never).",
    )
    token_upkeep_seconds: float = Field(
        default=3600.0, gt=0,
        validation_alias=AliasChoices("TIKTOK_OMS_TOKEN_UPKEEP_INTERVAL", "token_upkeep_seconds"),
        description="How often access tokens are checked and refreshed before they expire (seconds).",
    )
    job_attempts: int = Field(
        default=5, ge=1, le=50, validation_alias=AliasChoices("TIKTOK_OMS_JOB_ATTEMPTS", "job_attempts"),
        description="Tries of a job that fails for a transient reason (with exponential backoff).",
    )
    worker_heartbeat_seconds: float = Field(
        default=10.0, gt=0, validation_alias=AliasChoices("TIKTOK_OMS_WORKER_HEARTBEAT", "worker_heartbeat_seconds"),
    )
    worker_stall_seconds: float = Field(
        default=30.0, gt=0, validation_alias=AliasChoices("TIKTOK_OMS_WORKER_STALL_TIMEOUT", "worker_stall_seconds"),
        description="A worker silent for this long is presumed dead; its jobs go to another worker.",
    )
    worker_shutdown_seconds: float = Field(
        default=30.0, ge=0,
        validation_alias=AliasChoices("TIKTOK_OMS_WORKER_SHUTDOWN_TIMEOUT", "worker_shutdown_seconds"),
        description="On SIGTERM, how long running jobs may take to finish before they are cut.",
    )

    @field_validator("api_base_url", "auth_base_url", "authorize_url")
    @classmethod
    def _tiktok_url(cls, url: str) -> str:
        """TikTok's hosts are reached over https; plain http only on this machine (the sandbox)."""
        from urllib.parse import urlsplit

        parts = urlsplit(url.strip())
        local = parts.hostname in ("127.0.0.1", "::1", "localhost")
        if not parts.hostname or parts.scheme not in ("https", "http") or (parts.scheme == "http" and not local):
            raise ValueError(f"{url!r} is not an https:// URL (plain http:// only for 127.0.0.1 or localhost: the sandbox)")
        return url.strip()

    @property
    def scheduler_tick_seconds(self) -> float:
        """How often the scheduler looks for stores due: a fifth of the interval, 1..60 s."""
        return min(60.0, max(1.0, self.sync_interval_seconds / 5))


# The environment variable (or flag) behind each field, for messages.
def setting_name(field: str) -> str:
    info = Settings.model_fields.get(field)
    alias = getattr(info, "validation_alias", None) if info else None
    choices = getattr(alias, "choices", None)
    return str(choices[0]) if choices else field


def load_settings(**values: object) -> Settings:
    """The settings from flags (`values`), the environment and .env; a bad value raises a
    `ConfigurationError` that names its environment variable, never pydantic's own report."""
    from pydantic import ValidationError

    try:
        settings = Settings(**values)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        name = setting_name(field) if field in Settings.model_fields else field
        raise ConfigurationError(f"{name}: {first['msg']}") from None
    check_database_url(settings.database_url)
    return settings
