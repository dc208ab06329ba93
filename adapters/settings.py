from pathlib import Path

import platformdirs
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    folder = Path(platformdirs.user_data_dir("tiktok-oms", appauthor=False))
    return f"sqlite:///{folder / 'tiktok-oms.sqlite'}"


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
    http_timeout_seconds: float = Field(default=30.0, validation_alias=AliasChoices("TIKTOK_OMS_HTTP_TIMEOUT", "http_timeout_seconds"))
    # The web app (adapters/web): the key that signs session cookies. Unset, a random key is made
    # at start-up (sessions then end when the server restarts).
    session_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TIKTOK_OMS_SESSION_SECRET", "session_secret")
    )
    session_hours: float = Field(
        default=12.0, gt=0, validation_alias=AliasChoices("TIKTOK_OMS_SESSION_HOURS", "session_hours")
    )
