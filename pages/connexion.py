"""Connexion: the password form and, when configured, the OpenID Connect (ProConnect) buttons."""

from lit_analytics import ui
from lit_analytics.ui import auth as ui_auth

ui_auth.sign_in_page(ui.get_store())
