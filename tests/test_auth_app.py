"""The sign-in gate, sessions and the administration pages, run by Streamlit's AppTest on a demo database
(whose documented demo accounts are real rows of `users`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from streamlit.testing.v1 import AppTest

from conftest import DEMO_LOGINS, DEMO_PASSWORD, make_app_test
from lit_analytics import accounts, auth, ui
from lit_analytics.permissions import Actor
from lit_analytics.store import Store

ADMIN = Actor(DEMO_LOGINS["admin"], "admin", frozenset(), "Administratrice DITP (démo)")
ANALYST = Actor(DEMO_LOGINS["analyste"], "analyste", frozenset(), "Analyste DITP (démo)")


def app_store():
    """The app's own cached Store (one DuckDB file is attached once per process): LIT_DB of the AppTest."""
    return ui.get_store()


def signed_out(db) -> AppTest:
    at = make_app_test(db).run()
    assert not at.exception, at.exception
    return at


def submit(at: AppTest, email: str, password: str) -> AppTest:
    at.text_input(key="sign_in_email").input(email)
    at.text_input(key="sign_in_password").input(password)
    return at.button[[b.label for b in at.button].index("Se connecter")].click().run()


def test_signed_out_the_app_shows_only_the_sign_in_page(demo_copy):
    at = signed_out(demo_copy)
    assert [t.value for t in at.title] == ["Connexion"]
    assert not at.metric                                      # no dashboard figure
    assert {t.label for t in at.text_input} == {"Adresse e-mail", "Mot de passe"}
    assert any(DEMO_PASSWORD in m.value for m in at.markdown)  # demo database: its demo accounts are listed


def test_sign_in_with_a_demo_account_opens_the_dashboard(demo_copy):
    at = submit(signed_out(demo_copy), DEMO_LOGINS["porteur"], DEMO_PASSWORD)
    assert not at.exception, at.exception
    actor = at.session_state["actor"]
    assert actor == Actor(DEMO_LOGINS["porteur"], "porteur", frozenset({"archipel"}), "Porteur Archipel (démo)")
    assert {m.label for m in at.metric} >= {"Laboratoires financés", "Projets"}
    assert any("Porteur Archipel (démo)" in m.value for m in at.sidebar.markdown)
    at.sidebar.button(key="sign_out").click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Connexion"] and not at.metric
    assert [r[0] for r in app_store().query("SELECT action FROM audit_log WHERE actor = ? ORDER BY event_id",
                                            [DEMO_LOGINS["porteur"]])] == ["connexion", "déconnexion"]


def test_wrong_password_and_disabled_account_are_refused_on_the_page(demo_copy):
    at = submit(signed_out(demo_copy), DEMO_LOGINS["analyste"], "pas le bon")
    assert [e.value for e in at.error] == [auth.BAD_CREDENTIALS] and not at.metric
    accounts.disable_account(app_store(), ADMIN, DEMO_LOGINS["analyste"])
    at = submit(signed_out(demo_copy), DEMO_LOGINS["analyste"], DEMO_PASSWORD)
    assert any("désactivé" in e.value for e in at.error) and not at.metric


def test_an_account_disabled_during_a_session_is_signed_out_at_its_next_click(demo_copy):
    at = submit(signed_out(demo_copy), DEMO_LOGINS["analyste"], DEMO_PASSWORD)
    assert at.metric
    accounts.disable_account(app_store(), ADMIN, DEMO_LOGINS["analyste"])
    at.run()
    assert not at.metric and any("désactivé" in w.value for w in at.warning)


def test_an_expired_session_asks_to_sign_in_again(demo_copy):
    at = submit(signed_out(demo_copy), DEMO_LOGINS["analyste"], DEMO_PASSWORD)
    session = at.session_state["auth_session"]
    at.session_state["auth_session"] = {**session, "last_seen": datetime.now() - timedelta(minutes=61)}
    at.run()
    assert not at.metric and any("inactivité" in w.value for w in at.warning)
    at = submit(signed_out(demo_copy), DEMO_LOGINS["analyste"], DEMO_PASSWORD)
    at.session_state["auth_session"] = {**at.session_state["auth_session"],
                                        "signed_in_at": datetime.now() - timedelta(hours=8, minutes=1)}
    at.run()
    assert not at.metric and any("8 h" in w.value for w in at.warning)


def test_oidc_button_shows_when_auth_is_configured(demo_copy):
    at = make_app_test(demo_copy)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "proconnect": {"client_id": "lit", "client_secret": "s",
                                         "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration"}}
    at.run()
    assert not at.exception, at.exception
    assert "Se connecter avec ProConnect" in [b.label for b in at.button]
    assert "Se connecter avec ProConnect" not in [b.label for b in signed_out(demo_copy).button]


def test_administration_is_for_admins_only(demo_copy):
    for page in ("pages/journal.py", "pages/comptes.py"):
        at = make_app_test(demo_copy, page=page, actor=ANALYST).run()
        assert not at.exception
        assert not any(t.value in ("Journal d'audit", "Comptes") for t in at.title), page


def test_the_journal_lists_filters_and_exports(demo_copy):
    with Store(demo_copy) as store:
        auth.authenticate(store, DEMO_LOGINS["analyste"], "faux")
        auth.authenticate(store, DEMO_LOGINS["analyste"], DEMO_PASSWORD)
    at = make_app_test(demo_copy, page="pages/journal.py", actor=ADMIN).run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table.columns) == ["Date et heure", "Qui", "Action", "Objet", "Résultat", "Détail"]
    assert list(table["Action"][:2]) == ["connexion", "échec de connexion"]
    assert "création de compte" in set(table["Action"])          # the demo accounts
    at.multiselect(key="journal_outcomes").set_value(["échec"]).run()
    assert list(at.dataframe[0].value["Qui"]) == [DEMO_LOGINS["analyste"]]
    assert at.get("download_button")


def test_the_accounts_page_creates_and_disables_an_account(demo_copy):
    at = make_app_test(demo_copy, page="pages/comptes.py", actor=ADMIN).run()
    assert not at.exception, at.exception
    at.text_input(key="new_email").input("nouveau@lab.fr")
    at.selectbox(key="new_role").set_value("porteur")
    at.multiselect(key="new_labs").set_value(["siilab"])
    at.text_input(key="new_password").input("mot de passe du nouveau")
    at.button(key="FormSubmitter:new_account-Créer le compte").click().run()
    assert not at.exception, at.exception
    assert any("Compte créé : nouveau@lab.fr" in s.value for s in at.success)
    assert "nouveau@lab.fr" in set(at.dataframe[0].value["Adresse e-mail"])
    at.selectbox(key="edit_email").set_value("nouveau@lab.fr").run()
    at.button(key="disable").click().run()
    assert any("Compte désactivé" in s.value for s in at.success)
    assert app_store().query("SELECT role, disabled, created_by FROM users WHERE email = 'nouveau@lab.fr'") == [
        ("porteur", True, ADMIN.email)]
    assert app_store().scalar("SELECT password_hash FROM users WHERE email = 'nouveau@lab.fr'").startswith(
        "$argon2id$")
    # A refused change shows its French reason and changes nothing.
    at.text_input(key="new_email").input("autre@lab.fr")
    at.selectbox(key="new_role").set_value("porteur")
    at.multiselect(key="new_labs").set_value([])
    at.button(key="FormSubmitter:new_account-Créer le compte").click().run()
    assert any("au moins un laboratoire" in e.value for e in at.error)
