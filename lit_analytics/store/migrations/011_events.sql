-- Events drawn on the time charts (`lit_analytics/events.py`): programme milestones, shipped below with the public
-- page each one comes from, and what administrators add (a lab's convention, a visit, a call…). A lab's funding
-- tranches are drawn as events too, read from `funding_tranches` (not stored twice).
CREATE TABLE events (
    event_id     INTEGER PRIMARY KEY,
    event_date   DATE NOT NULL,
    label        VARCHAR NOT NULL,             -- in French, short: what the chart writes beside the marker
    kind         VARCHAR NOT NULL CHECK (kind IN ('programme', 'lab-funding', 'other')),
    lab_id       VARCHAR,                      -- the lab it concerns; NULL: the whole programme
    source_title VARCHAR,                      -- in French: publisher and title of the public page
    source_url   VARCHAR,
    created_by   VARCHAR NOT NULL,             -- an administrator's e-mail, or « référence » for the rows below
    created_at   TIMESTAMP NOT NULL,
    updated_by   VARCHAR,
    updated_at   TIMESTAMP
);

INSERT INTO events VALUES
    (1, '2016-11-18', 'Annonce des 12 lauréats', 'programme', NULL,
     'Préfecture de la région Grand Est, « Modernisation : douze « laboratoires d''innovations territoriales » récompensés » (23/11/2016)',
     'http://prefectures-regions.gouv.fr/grand-est/Actualites/Modernisation-douze-laboratoires-d-innovations-territoriales-recompenses',
     'référence', '2026-12-07 00:00:00', NULL, NULL),
    (2, '2020-12-01', 'Nouvelle ambition (FTAP, relance)', 'programme', NULL,
     'DITP, « Une nouvelle ambition pour les laboratoires d''innovation territoriale » (01/12/2020)', NULL,
     'référence', '2026-12-07 00:00:00', NULL, NULL),
    (3, '2021-11-24', 'Relance : 4 nouveaux labs en 2021', 'programme', NULL,
     'DITP, « Bourgogne-Franche-Comté : création d''un laboratoire d''innovation publique de l''État » (24/11/2021)',
     'https://www.modernisation.gouv.fr/presse/bourgogne-franche-comte-creation-dun-laboratoire-dinnovation-publique-de-letat-pour',
     'référence', '2026-12-07 00:00:00', NULL, NULL),
    (4, '2022-09-19', 'Second souffle : 200 k€ de relance par lab', 'programme', NULL,
     'Bercy Numérique, « Un second souffle pour les laboratoires d''innovation territoriale » (19/09/2022)',
     'https://www.bercynumerique.finances.gouv.fr/un-second-souffle-pour-les-laboratoires-dinnovation-territoriale',
     'référence', '2026-12-07 00:00:00', NULL, NULL),
    (5, '2024-11-05', 'Journée des labs : simplificathons', 'programme', NULL,
     'Banque des Territoires, « Bientôt des simplificathons territoriaux pour recueillir les besoins locaux de simplification » (05/11/2024)',
     'https://banquedesterritoires.fr/bientot-des-simplificathons-territoriaux-pour-recueillir-les-besoins-locaux-de-simplification',
     'référence', '2026-12-07 00:00:00', NULL, NULL),
    (6, '2024-12-31', '2024 : 25 agents recrutés', 'programme', NULL,
     'DITP, « Laboratoires interministériels d''innovation territoriale » : « plus de 80 agents dédiés, dont 25 recrutés en 2024 » (jour non publié : placé au 31/12/2024)',
     'https://www.modernisation.gouv.fr/accompagner-les-administrations/laboratoires-dinnovation-publique/laboratoires-interministeriels',
     'référence', '2026-12-07 00:00:00', NULL, NULL);

-- Thresholds of the data alerts of « Suivi des dépôts » (`lit_analytics/alerts.py`), set by administrators.
CREATE TABLE alert_settings (
    setting    VARCHAR PRIMARY KEY,           -- 'quarters_without_report', 'drop_share_pct', 'drop_min_base'
    value      DOUBLE NOT NULL,
    updated_by VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

INSERT INTO alert_settings VALUES
    ('quarters_without_report', 2, 'référence', '2026-12-07 00:00:00'),
    ('drop_share_pct', 50, 'référence', '2026-12-07 00:00:00'),
    ('drop_min_base', 5, 'référence', '2026-12-07 00:00:00');
