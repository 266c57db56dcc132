-- Sources of the reference data: every public page a lab's facts come from (one row per lab, fact and page), and
-- what public pages say about the programme as a whole (figures that disagree are all kept, with their dates).
-- Both are replaced, like `labs`, each time the reference files are loaded (data/reference/*.csv).
CREATE TABLE lab_sources (
    lab_id       VARCHAR NOT NULL,            -- labs.lab_id (not a foreign key: labs are reloaded in place)
    fact         VARCHAR NOT NULL,            -- what the page supports: 'opened_on', 'city', 'pia_eur', 'laureate'...
    seq          INTEGER NOT NULL,            -- order of the rows in sources.csv
    value        VARCHAR,                     -- the value as the page gives it, when the code uses it (162000, 2018)
    statement    VARCHAR NOT NULL,            -- in French: what the page says
    source_title VARCHAR NOT NULL,            -- in French: publisher and title (seed texts: title and date)
    published_on DATE,                        -- the page's date, when it shows one
    url          VARCHAR,                     -- the public address; NULL when none was found (said in source_title)
    PRIMARY KEY (lab_id, seq)
);

CREATE TABLE published_figures (
    seq          INTEGER PRIMARY KEY,         -- order of the rows in published_figures.csv
    topic        VARCHAR NOT NULL,            -- in French: « Candidatures à l'appel de 2016 », « Laboratoires en activité »
    figure       VARCHAR NOT NULL,            -- in French, short: « 16 candidatures »
    statement    VARCHAR NOT NULL,            -- in French: what the page says, quoted where possible
    source_title VARCHAR NOT NULL,
    published_on DATE,
    url          VARCHAR,
    disagree     BOOLEAN NOT NULL             -- the topic's sources give different figures (shown side by side)
);
