"""How the ingest test files were made (run once; the files themselves are committed and read by the tests).

    .venv/bin/python tests/files/ingest/build_files.py

Bad files: sessions for `siilab`, T3 2021 unless their name starts with `projets_` (siilab, T3 2021) or
`financements_`. The expected error of each is in tests/test_ingest_bad_files.py.
"""

from datetime import datetime
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
BAD, GOOD = HERE / "bad", HERE / "good"
NBSP, NNBSP = "\u00a0", "\u202f"

S_HEAD = "id_session;date;intitule;format;duree_heures;participants_agents;participants_autres"
S_OK1 = "S-01;05/07/2021;Initiation au design de services;formation;3,5;12;4"
S_OK2 = "S-02;16/09/2021;Atelier usagers;atelier;2;8;"
P_HEAD = ("id_projet;titre;thematique;statut;date_debut;date_fin;types_partenaires;usagers_impliques;"
          "agents_impliques;budget_eur")
P_OK = "P-01;Accueil repensé;Relation aux usagers;expérimentation;15/03/2021;;collectivité, usagers;120;35;45 000"
F_HEAD = "id_tranche;id_lab;source;montant_eur;date_engagement;date_versement;objet"
F_OK = "TR-1;siilab;PIA;150 000;15/02/2017;30/04/2017;PIA — première tranche"


def text(*lines: str, end: str = "\r\n") -> str:
    return end.join(lines) + end


def write(folder: Path, name: str, content, encoding: str = "utf-8") -> None:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "sessions"
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def bad_files() -> None:
    w = lambda name, content, **kw: write(BAD, name, content, **kw)  # noqa: E731
    w("empty.csv", b"")
    w("missing_column.csv", text("id_session;intitule;format;duree_heures;participants_agents",
                                 "S-01;Atelier;atelier;2;8"))
    w("duplicate_column.csv", text(S_HEAD + ";format", S_OK1 + ";atelier"))
    w("bad_number.csv", text(S_HEAD, S_OK1, "S-02;16/09/2021;Atelier usagers;atelier;deux;8;"))
    w("zero_duration.csv", text(S_HEAD, "S-01;05/07/2021;Atelier;atelier;0;8;"))
    w("negative_participants.csv", text(S_HEAD, S_OK1, S_OK2.replace(";8;", ";-3;")))
    w("decimal_participants.csv", text(S_HEAD, "S-01;05/07/2021;Atelier;atelier;2;3,5;"))
    w("impossible_date.csv", text(S_HEAD, "S-01;31/02/2021;Atelier;atelier;2;8;"))
    w("date_as_words.csv", text(S_HEAD, S_OK1, S_OK2, "S-03;hier;Atelier;atelier;2;8;"))
    w("outside_quarter.csv", text(S_HEAD, S_OK1, "S-02;01/10/2021;Atelier;atelier;2;8;"))
    w("unknown_format.csv", text(S_HEAD, "S-01;05/07/2021;Colloque;conférence;2;8;"))
    w("missing_title.csv", text(S_HEAD, S_OK1, "S-02;16/09/2021;;atelier;2;8;"))
    w("duplicate_id.csv", text(S_HEAD, S_OK1, S_OK2, "S-01;17/09/2021;Atelier;atelier;2;8;"))
    w("example_row.csv", text(S_HEAD, "EXEMPLE-S-001;16/09/2021;Initiation au design de services;formation;3,5;18;4"),
      encoding="utf-8-sig")
    w("extra_cell.csv", text(S_HEAD, S_OK1, S_OK2 + ";en trop"))
    w("not_an_encoding.csv", (text(S_HEAD, S_OK1) + "S-02;16/09/2021;Atelier ").encode("utf-8") + b"\x81\x8d;atelier;2;8;\r\n")
    w("old_excel.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    w("broken.xlsx", b"PK\x03\x04" + b"this is not a workbook" * 20)
    w("other_lab_rows.csv", text(S_HEAD + ";id_lab", S_OK1 + ";siilab", S_OK2 + ";archipel"))
    w("formula_in_number.csv", text(S_HEAD, "S-01;05/07/2021;Atelier;atelier;=1+2;8;"))
    w("title_too_long.csv", text(S_HEAD, S_OK1, "S-02;16/09/2021;" + "x" * 301 + ";atelier;2;8;"))
    w("unnamed_column.csv", text(S_HEAD.replace("id_session;", "id_session;;"),
                                 S_OK1.replace("S-01;", "S-01;valeur sans colonne;")))
    w("blank_lines_then_error.csv", text(S_HEAD, S_OK1, "", ";;;;;;", S_OK2, "S-03;16/09/2021;Atelier;atelier;2;huit;"))
    w("quoted_newline_then_error.csv", text(S_HEAD, 'S-01;05/07/2021;"Atelier\nsur deux lignes";atelier;2;8;',
                                            "S-02;16/09/2021;Atelier;atelier;2;8;x"))
    w("cp1252_bad_format.csv", text(S_HEAD, S_OK1, "S-02;16/09/2021;Séminaire d'été;séminaire;2;8;"),
      encoding="cp1252")
    w("xlsx_bad_date.xlsx", xlsx([S_HEAD.split(";"), ["S-01", datetime(2021, 7, 5), "Atelier", "atelier", 2, 8, None],
                                  ["S-02", "32/13/2021", "Atelier", "atelier", 2.5, 8, 1]]))
    w("too_many_rows.csv", text(S_HEAD, *[f"S-{n};05/07/2021;Atelier;atelier;2;8;" for n in range(6)]))
    w("too_large.csv", text(S_HEAD, *[f"S-{n};05/07/2021;Atelier de co-construction;atelier;2;8;" for n in range(5)]))
    w("projets_bad_status.csv", text(P_HEAD, P_OK, P_OK.replace("P-01", "P-02").replace("expérimentation", "en cours")))
    w("projets_end_before_start.csv", text(P_HEAD, "P-01;Accueil;Santé;terminé;15/03/2021;14/03/2021;;;;"))
    w("projets_bad_partner.csv", text(P_HEAD, "P-01;Accueil;Santé;conception;15/03/2021;;collectivité, ministère;;;"))
    w("projets_negative_budget.csv", text(P_HEAD, "P-01;Accueil;Santé;conception;15/03/2021;;;;;-5 000"))
    w("projets_missing_theme.csv", text(P_HEAD, "P-01;Accueil;;conception;15/03/2021;;;;;"))
    w("projets_bad_theme.csv", text(P_HEAD, "P-01;Accueil;Culture;conception;15/03/2021;;;;;"))
    w("financements_unknown_lab.csv", text(F_HEAD, F_OK, "TR-2;lab-inconnu;FTAP;50 000;01/03/2019;;"))
    w("financements_zero_amount.csv", text(F_HEAD, "TR-1;siilab;PIA;0;15/02/2017;;"))
    w("financements_paid_before_committed.csv", text(F_HEAD, "TR-1;siilab;PIA;1000;15/02/2017;14/02/2017;"))
    w("financements_bad_source.csv", text(F_HEAD, "TR-1;siilab;Europe;1000;15/02/2017;;"))
    w("financements_missing_amount.csv", text(F_HEAD, F_OK, "TR-2;siilab;FTAP;;01/03/2019;;"))


def good_files() -> None:
    w = lambda name, content, **kw: write(GOOD, name, content, **kw)  # noqa: E731
    # The template's own style: UTF-8 with BOM, ';', decimal comma, JJ/MM/AAAA, a warning-only enum case.
    w("sessions_utf8_bom_semicolon.csv",
      text(S_HEAD, "S-01;05/07/2021;=HYPERLINK(\"x\");Formation;3,5;12;4",
           "S-02;16/09/2021;-Atelier @usagers;atelier;2;8;", "", ""), encoding="utf-8-sig")
    # Plain UTF-8, ',' separator, decimal comma in quotes, dates 2021-07-05 (ISO), LF line ends.
    w("sessions_utf8_comma_iso.csv",
      text(S_HEAD.replace(";", ","), 'S-01,2021-07-05,"Atelier, prototypage",atelier,"1,5",10,0',
           "S-02,2021-09-30,Webinaire,webinaire,1,25,3", end="\n"))
    # Windows-1252, tab separator, dates 31/12/21, headers in other case/accents/spaces.
    w("sessions_cp1252_tab.txt",
      text("ID_Session\t Date \tIntitulé\tFormat\tDurée (heures)\tParticipants agents\tParticipants autres",
           "S-01\t05/07/21\tSéminaire d'été\tautre\t7\t30\t12",
           "S-02\t30/09/21\tSensibilisation à l'innovation\tSENSIBILISATION\t0,5\t14\t"), encoding="cp1252")
    # XLSX: typed cells (dates, floats) from a spreadsheet.
    w("sessions.xlsx", xlsx([S_HEAD.split(";"), ["S-01", datetime(2021, 7, 5), "Atelier", "atelier", 2.5, 8, None],
                             ["S-02", datetime(2021, 9, 30), "Formation", "formation", 14, 20, 5]]))
    # Thousands separators: space, no-break space, narrow no-break space, dot; € signs; accents-free enum.
    w("projets_thousands.csv", text(
        P_HEAD,
        "P-01;Accueil repensé;Relation aux usagers;Experimentation;15/03/2021;;collectivité, usagers;1 200;35;45 000 €",
        f"P-02;Données ouvertes;Numérique et données;conception;01/01/2021;;Recherche;12{NBSP}500;4;1{NBSP}234,5{NBSP}€",
        f"P-03;Tiers-lieu;Emploi et économie sociale et solidaire;terminé;01/01/2020;30/06/2021;;;;"
        f"2{NNBSP}000{NNBSP}000",
        "P-04;Rénovation;Transition écologique et énergie;déploiement;01/02/2019;;entreprise;;;1.500.000",
        "P-05;Inspection;Contrôle et inspection;abandonné;01/02/2019;31/08/21;;;;1.234,56"), encoding="utf-8-sig")
    w("financements_ledger.csv", text(
        F_HEAD, F_OK, "TR-2;ARCHIPEL;ftap;75 000,50 €;01/03/2019;;FTAP — projet",
        "TR-3;lab-o;relance;100000;2021-01-15;2021-03-01;France Relance"), encoding="cp1252")


if __name__ == "__main__":
    bad_files()
    good_files()
    print(len(list(BAD.iterdir())), "bad files,", len(list(GOOD.iterdir())), "good files")
