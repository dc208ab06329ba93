"""The long-running OMS process (`tiktok-oms serve`): one ASGI app for TikTok's webhooks, the OAuth
callback, a health check and (mounted by the web adapter) the sellers' pages."""
