"""Connexion: the password form and, when configured, the OpenID Connect (ProConnect) buttons."""

from lit_analytics import ui

ui.auth.sign_in_page(ui.get_store())
