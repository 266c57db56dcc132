"""The page « Référentiel » (AppTest): administrators only; a cohort then a lab added through the forms, seen in the
registry's table and, with its history, on the lab's profile at the next run."""

from __future__ import annotations

from conftest import DEMO_LOGINS, make_app_test
from lit_analytics.bootstrap import app_store
from lit_analytics.permissions import Actor

ADMIN = Actor(DEMO_LOGINS["admin"], "admin", frozenset(), "Administratrice DITP (démo)")
ANALYST = Actor(DEMO_LOGINS["analyste"], "analyste", frozenset(), "Analyste DITP (démo)")


def test_the_registry_page_is_for_admins_only(demo_copy):
    at = make_app_test(demo_copy, page="pages/referentiel.py", actor=ANALYST).run()
    assert not at.exception
    assert "Référentiel" not in [t.value for t in at.title]


def test_an_admin_adds_a_cohort_then_a_lab_and_its_profile_shows_the_history(demo_copy):
    at = make_app_test(demo_copy, page="pages/referentiel.py", actor=ADMIN).run()
    assert not at.exception, at.exception
    at.text_input(key="reg_cohorts_code").input("vague-2025")
    at.text_input(key="reg_cohorts_label").input("Créés en 2025")
    at.button(key="FormSubmitter:registry_add_cohorts-Ajouter la cohorte").click().run()
    assert not at.exception, at.exception
    assert any("Cohorte ajoutée : vague-2025" in s.value for s in at.success)
    at.text_input(key="reg_add_id").input("lab-essai")
    at.text_input(key="reg_add_name").input("Laboratoire d'essai de La Réunion (test)")
    at.text_input(key="reg_add_short").input("Lab Essai")
    at.selectbox(key="reg_add_region").set_value("04")
    at.selectbox(key="reg_add_cohort").set_value("vague-2025")
    at.text_input(key="reg_add_opened").input("13/10/2025")
    at.text_input(key="reg_add_src_title").input("Préfecture de La Réunion, inauguration")
    at.text_input(key="reg_add_src_url").input("https://example.org/lab-essai")
    at.button(key="FormSubmitter:registry_add_lab-Ajouter le laboratoire").click().run()
    assert not at.exception, at.exception
    assert any("Laboratoire ajouté" in s.value and "centre de la région La Réunion" in s.value for s in at.success)
    assert "lab-essai" in set(at.dataframe[0].value["Identifiant"])
    assert app_store().query("SELECT action, outcome FROM audit_log WHERE target = 'lab-essai'") == [
        ("création de laboratoire", "succès")]
    # a bad value: a French message, nothing written
    at.text_input(key="reg_add_id").input("lab-essai")
    at.button(key="FormSubmitter:registry_add_lab-Ajouter le laboratoire").click().run()
    assert any("existe déjà" in e.value for e in at.error)
    profile = make_app_test(demo_copy, page="pages/laboratoires.py", actor=ADMIN).run()
    profile.selectbox(key="labo_fiche").set_value("lab-essai").run()
    assert not profile.exception, profile.exception
    history = [d.value for d in profile.dataframe if "Champ" in d.value.columns]
    assert history and "Création" in set(history[0]["Champ"])


def test_the_lead_of_a_closed_lab_still_reads_its_profile_and_history(demo_copy):
    from lit_analytics.registry import labs
    from lit_analytics.store import Store
    with Store(demo_copy) as store:
        labs.close_lab(store, ADMIN, "siilab", "31/12/2025")
    lead = Actor(DEMO_LOGINS["porteur-siilab"], "porteur", frozenset({"siilab"}), "Porteuse Siilab (démo)")
    at = make_app_test(demo_copy, page="pages/laboratoires.py", actor=lead).run()
    at.selectbox(key="labo_fiche").set_value("siilab").run()
    assert not at.exception, at.exception
    assert any("fermé le 31/12/2025" in c.value for c in at.caption)
    history = [d.value for d in at.dataframe if "Champ" in d.value.columns]
    assert list(history[0]["Après"]) == ["31/12/2025"] and list(history[0]["Par"]) == [ADMIN.email]
