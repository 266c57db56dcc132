"""Comptes (administrators): create, change, disable, unlock accounts. Every change goes through
`lit_analytics.accounts`, which checks the administrator's rights again and writes the audit log."""

import streamlit as st

from lit_analytics import accounts, ui
from lit_analytics.ui import auth as ui_auth
from lit_analytics.permissions import DEFAULT_ROLE, ROLES, PermissionDenied

actor = ui_auth.require_admin_page()
store = ui.get_store()

st.title("Comptes")
st.caption("Les porteurs ne déposent que pour leurs laboratoires ; les analystes consultent et exportent ; "
           "les administrateurs DITP gèrent aussi les comptes et le registre des financements. Un compte sans "
           "mot de passe se connecte uniquement par OpenID Connect (ProConnect), avec la même adresse e-mail.")

flash = st.session_state.pop("comptes_flash", None)
if flash:
    st.success(flash)

st.dataframe(accounts.account_table(store), hide_index=True, width="stretch", placeholder="")

lab_names = accounts.lab_choices(store)
role_codes = list(ROLES)


def _run(change, success: str) -> None:
    try:
        change()
    except (accounts.AuthError, PermissionDenied) as exc:
        st.error(str(exc))
    else:
        st.session_state["comptes_flash"] = success
        st.rerun()


create, edit = st.tabs(["Créer un compte", "Modifier un compte"])

with create:
    with st.form("new_account", clear_on_submit=False):
        cols = st.columns(2)
        email = cols[0].text_input("Adresse e-mail", key="new_email")
        name = cols[1].text_input("Nom affiché", key="new_name")
        role = cols[0].selectbox("Rôle", role_codes, format_func=ROLES.get, index=role_codes.index(DEFAULT_ROLE),
                                 key="new_role")
        chosen = cols[1].multiselect("Laboratoires (porteurs uniquement)", list(lab_names),
                                     format_func=lab_names.get, key="new_labs")
        password = st.text_input(f"Mot de passe (au moins {accounts.PASSWORD_MIN_LENGTH} caractères ; vide : "
                                 "ProConnect uniquement)",
                                 type="password", key="new_password", autocomplete="new-password")
        if st.form_submit_button("Créer le compte", type="primary"):
            _run(lambda: accounts.add_account(store, actor, email, role, chosen, name, password or None),
                 f"Compte créé : {email.strip().lower()}.")

with edit:
    emails = accounts.account_emails(store)
    if not emails:
        st.info("Aucun compte.")
    else:
        target = st.selectbox("Compte", emails, key="edit_email")
        row = accounts.get_account(store, target)
        current_labs = row["labs"]
        with st.form("edit_account"):
            cols = st.columns(2)
            new_name = cols[0].text_input("Nom affiché", value=row["display_name"] or "", key=f"edit_name_{target}")
            new_role = cols[1].selectbox("Rôle", role_codes, index=role_codes.index(row["role"]),
                                         format_func=ROLES.get, key=f"edit_role_{target}")
            new_labs = st.multiselect("Laboratoires (porteurs uniquement)", list(lab_names), default=current_labs,
                                      format_func=lab_names.get, key=f"edit_labs_{target}")
            if st.form_submit_button("Enregistrer"):
                _run(lambda: accounts.update_account(store, actor, target, new_role, new_labs, new_name),
                     f"Compte modifié : {target}.")
        with st.form("edit_password", clear_on_submit=True):
            new_password = st.text_input("Nouveau mot de passe (vide : retirer le mot de passe, ProConnect "
                                         "uniquement)", type="password", key="edit_password",
                                         autocomplete="new-password")
            if st.form_submit_button("Définir le mot de passe"):
                _run(lambda: accounts.set_password(store, actor, target, new_password or None),
                     f"Mot de passe {'défini' if new_password else 'retiré'} : {target}.")
        cols = st.columns(3)
        if row["disabled"]:
            if cols[0].button("Réactiver le compte", key="enable"):
                _run(lambda: accounts.enable_account(store, actor, target), f"Compte réactivé : {target}.")
        elif cols[0].button("Désactiver le compte", key="disable"):
            _run(lambda: accounts.disable_account(store, actor, target), f"Compte désactivé : {target}.")
        if cols[1].button("Déverrouiller", key="unlock"):
            _run(lambda: accounts.unlock_account(store, actor, target), f"Compte déverrouillé : {target}.")
