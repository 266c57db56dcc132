-- The quarter's « météo » and the field's words (issue 22): with each quarterly report a lab lead gives the lab's
-- météo (soleil, couvert, nuage, orage) and three short texts. Versioned like the reports: a (lab, quarter) météo
-- published again supersedes the current one (`is_current` flips), which stays and can be restored. Not public:
-- the public site shows a version only when the DITP set `is_public` on it.
CREATE TABLE meteo_reports (
    version_id    INTEGER PRIMARY KEY,
    lab_id        VARCHAR NOT NULL,
    quarter       VARCHAR NOT NULL,              -- '2026-T3'
    level         VARCHAR NOT NULL CHECK (level IN ('soleil', 'couvert', 'nuage', 'orage')),
    highlights    VARCHAR NOT NULL,              -- « Faits marquants »
    difficulties  VARCHAR NOT NULL,              -- « Difficultés et freins »
    support_needs VARCHAR NOT NULL,              -- « Besoins d'appui de la DITP »
    file_name     VARCHAR,                       -- the file or the browser form it came from
    sha256        VARCHAR,
    is_demo       BOOLEAN NOT NULL,
    published_at  TIMESTAMP NOT NULL,
    published_by  VARCHAR NOT NULL,
    is_current    BOOLEAN NOT NULL,
    is_public     BOOLEAN NOT NULL               -- the DITP allowed the public site to show these texts
);

-- The DITP's answers (administrators and analysts) to a lab's météo: kept, never edited.
CREATE TABLE meteo_comments (
    comment_id    INTEGER PRIMARY KEY,
    lab_id        VARCHAR NOT NULL,
    quarter       VARCHAR NOT NULL,
    version_id    INTEGER NOT NULL,              -- the météo version it answers
    body          VARCHAR NOT NULL,
    written_at    TIMESTAMP NOT NULL,
    written_by    VARCHAR NOT NULL
);
